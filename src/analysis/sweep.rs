//! Threshold sweeps: one regime parameter of one policy over a grid, on common random numbers.
