//! The report bundle: figures, report.html (self-contained) and report.md.
