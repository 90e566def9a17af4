//! Sensitivity: which uncertain parameters drive an outcome.
