//! CSV of row structs: each file's header is its row type's field names (`export::rows`),
//! each row the row serialised by the csv crate, which writes numbers as the shortest text
//! that reads back to the same double (ryu) and `None` as an empty cell.

use std::io::Write;

use serde::{Serialize, Serializer};

/// Why a table could not be written.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error(transparent)]
    Csv(#[from] csv::Error),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("the row type {0} serialises no header")]
    NoHeader(&'static str),
}

impl From<TableError> for std::io::Error {
    fn from(e: TableError) -> Self {
        match e {
            TableError::Io(e) => e,
            e => std::io::Error::other(e),
        }
    }
}

/// A number that is written only when finite: NaN and infinities leave the cell empty (the
/// analyses' tables; the run files keep ryu's `NaN` and `inf`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Finite(pub f64);

impl Serialize for Finite {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.is_finite() { s.serialize_f64(self.0) } else { s.serialize_none() }
    }
}

/// The column names of a row type, in order: what the csv crate writes as the header of a
/// file of such rows (serde's field names, after renames). Read from a default row, so that a
/// table without rows still gets its header.
///
/// # Errors
/// The row type does not serialise as a flat record (a bug).
pub fn header<R: Serialize + Default>() -> Result<Vec<String>, TableError> {
    let mut w = csv::WriterBuilder::new().has_headers(true).from_writer(Vec::new());
    w.serialize(R::default())?;
    let bytes = w.into_inner().map_err(|e| TableError::Io(std::io::Error::other(e.to_string())))?;
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes.as_slice());
    let first = r.records().next().ok_or(TableError::NoHeader(std::any::type_name::<R>()))??;
    Ok(first.iter().map(str::to_string).collect())
}

/// A CSV file written a row at a time: the header of its row type first, then each row.
pub struct RowWriter<W: Write> {
    csv: csv::Writer<W>,
}

impl<W: Write> RowWriter<W> {
    /// Writes the header of the row type `R` to `out`.
    ///
    /// # Errors
    /// The header cannot be written.
    pub fn new<R: Serialize + Default>(out: W) -> Result<RowWriter<W>, TableError> {
        // The header is written here, not by the csv crate's first `serialize`, so that a file
        // without rows has one too.
        let mut csv = csv::WriterBuilder::new().has_headers(false).from_writer(out);
        csv.write_record(header::<R>()?)?;
        Ok(RowWriter { csv })
    }

    /// Appends one row (of the type the header was written for).
    ///
    /// # Errors
    /// The row cannot be written.
    pub fn write(&mut self, row: &impl Serialize) -> Result<(), TableError> {
        Ok(self.csv.serialize(row)?)
    }

    /// Flushes what was written to the underlying writer.
    ///
    /// # Errors
    /// The flush fails.
    pub fn flush(&mut self) -> Result<(), TableError> {
        Ok(self.csv.flush()?)
    }

    /// The underlying writer, flushed.
    ///
    /// # Errors
    /// The flush fails.
    pub fn into_inner(self) -> Result<W, TableError> {
        self.csv.into_inner().map_err(|e| TableError::Io(std::io::Error::other(e.to_string())))
    }
}

/// A whole table as CSV text: the header of `R`, then `rows`.
///
/// # Errors
/// A row cannot be serialised (a bug).
pub fn to_csv<R: Serialize + Default>(rows: impl IntoIterator<Item = R>) -> Result<Vec<u8>, TableError> {
    let mut w = RowWriter::new::<R>(Vec::new())?;
    for row in rows {
        w.write(&row)?;
    }
    w.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Default)]
    struct Row<'a> {
        name: &'a str,
        #[serde(rename = "box")]
        index: usize,
        x: f64,
        y: Finite,
        z: Option<Finite>,
        flag: bool,
    }

    #[test]
    fn header_is_the_field_names_after_renames() {
        assert_eq!(header::<Row<'_>>().unwrap(), ["name", "box", "x", "y", "z", "flag"]);
    }

    #[test]
    fn an_empty_table_has_its_header() {
        assert_eq!(to_csv(Vec::<Row<'_>>::new()).unwrap(), b"name,box,x,y,z,flag\n");
    }

    #[test]
    fn cells_read_back_exactly_and_non_finite_ones_as_the_files_want() {
        let rows = [
            Row { name: "a, b", index: 3, x: 0.1, y: Finite(1e-7), z: Some(Finite(12345.678)), flag: true },
            Row { name: "c", index: 0, x: f64::NAN, y: Finite(f64::NAN), z: Some(Finite(f64::INFINITY)), flag: false },
            Row { name: "d", index: 1, x: f64::NEG_INFINITY, y: Finite(-0.0), z: None, flag: false },
        ];
        let text = String::from_utf8(to_csv(rows).unwrap()).unwrap();
        assert_eq!(
            text,
            "name,box,x,y,z,flag\n\"a, b\",3,0.1,1e-7,12345.678,true\nc,0,NaN,,,false\nd,1,-inf,-0.0,,false\n"
        );
    }
}
