//! Why a figure could not be made.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum FigureError {
    #[error("unknown figure \"{name}\"; valid figures: {valid}")]
    UnknownFigure { name: String, valid: String },
    #[error("figure {figure} needs {what}")]
    MissingData { figure: &'static str, what: String },
    #[error("invalid figure options: {0}")]
    Options(String),
    #[error("the embedded font could not be loaded")]
    Font,
    #[error("could not draw figure {figure}: {message}")]
    Draw { figure: &'static str, message: String },
    #[error("could not encode the PNG: {0}")]
    Encode(String),
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
