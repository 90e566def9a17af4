//! Figures rendered headless with plotters (SVG, PNG), each with a JSON sidecar.
