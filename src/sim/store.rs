//! Per-run values kept for statistics over every run: each simulated run's per-step series
//! and per-jurisdiction outcomes. Percentiles need every value of a cell, and the number of
//! runs has no bound, so a store holds its values in memory up to a budget and beyond it in
//! a file, written block by block as chunks of runs arrive.
//!
//! A store has `cells` cells per run. A block holds consecutive runs cell-major (every run of
//! cell 0, then of cell 1, ...), so one cell over every run is one contiguous piece per block,
//! read back in run order. How the runs were cut into blocks (chunks, shards) does not change
//! what a cell reads back, so statistics of a cell are the same bytes however the runs came.
//!
//! The file form (little-endian): an 8-byte magic, then the shape (`cells`, the value width
//! in bytes, and a caller's tag of four u64), then blocks, each its run count (u64) and its
//! values. `tierlab run --shard` writes its series store in this form (`series.bin`), and a
//! merge reads the shards' files back as one store.

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"TLSTO\x00\x01\x00";
/// The header after the magic: cells, value width, and four u64 of the caller's shape tag.
const HEADER_BYTES: u64 = 8 + 6 * 8;

/// A value a store can hold, with its exact little-endian form.
pub trait StoreValue: Copy + Default + Send + Sync + 'static {
    const BYTES: usize;
    fn put(self, out: &mut Vec<u8>);
    fn get(bytes: &[u8]) -> Self;
}

impl StoreValue for f32 {
    const BYTES: usize = 4;
    fn put(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn get(b: &[u8]) -> f32 {
        f32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }
}

impl StoreValue for f64 {
    const BYTES: usize = 8;
    fn put(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn get(b: &[u8]) -> f64 {
        f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
    }
}

/// Where a store keeps its values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Keep {
    /// In memory, whatever the size (the browser, tests, small simulations).
    #[default]
    Memory,
    /// In memory up to `budget_bytes`, then in a temporary file in `dir`, removed on drop.
    Spill { dir: PathBuf, budget_bytes: usize },
    /// In this file from the first block, kept after the store is dropped (a shard's result).
    File(PathBuf),
}

/// The caller's description of what the cells are (for series: policies, steps, metrics
/// and the step length's bits), written into the file so that a reader can check that two
/// stores hold the same kind of values.
pub type ShapeTag = [u64; 4];

/// One block's place: in memory (`mem[i]`) or at a byte offset of a file.
#[derive(Clone, Copy, Debug)]
enum Place {
    Mem(usize),
    File { file: usize, offset: u64 },
}

#[derive(Debug)]
struct Block {
    runs: usize,
    place: Place,
}

/// Per-run values of `cells` cells, for every run pushed so far, in run order.
#[derive(Debug)]
pub struct Store<T: StoreValue> {
    cells: usize,
    tag: ShapeTag,
    keep: Keep,
    runs: usize,
    blocks: Vec<Block>,
    mem: Vec<Vec<T>>,
    mem_bytes: usize,
    /// Files read from (`Store::open`) or written to; the last one is the one being written.
    files: Vec<(PathBuf, File)>,
    writer: Option<BufWriter<File>>,
    /// Where the next block written to the file starts.
    next_offset: u64,
    /// A temporary file to remove on drop.
    temporary: Option<PathBuf>,
}

impl<T: StoreValue> Store<T> {
    /// An empty store of `cells` values per run.
    pub fn new(cells: usize, tag: ShapeTag, keep: Keep) -> Store<T> {
        Store {
            cells,
            tag,
            keep,
            runs: 0,
            blocks: Vec::new(),
            mem: Vec::new(),
            mem_bytes: 0,
            files: Vec::new(),
            writer: None,
            next_offset: HEADER_BYTES,
            temporary: None,
        }
    }

    pub fn cells(&self) -> usize {
        self.cells
    }

    pub fn tag(&self) -> ShapeTag {
        self.tag
    }

    /// Runs held.
    pub fn runs(&self) -> usize {
        self.runs
    }

    /// Appends a block of `runs` runs, `values[cell * runs + i]` for run `i` of the block.
    ///
    /// # Errors
    /// A file cannot be written.
    ///
    /// # Panics
    /// `values` is not `cells * runs` long (a caller's bug).
    pub fn push_block(&mut self, runs: usize, values: Vec<T>) -> io::Result<()> {
        assert_eq!(values.len(), self.cells * runs, "a block holds every cell of every run");
        if runs == 0 {
            return Ok(());
        }
        let to_file = match &self.keep {
            Keep::Memory => false,
            Keep::File(_) => true,
            Keep::Spill { budget_bytes, .. } => {
                self.writer.is_some() || self.mem_bytes + values.len() * T::BYTES > *budget_bytes
            }
        };
        if to_file {
            if self.writer.is_none() {
                self.start_file()?;
            }
            self.write_block(runs, &values)?;
        } else {
            self.mem_bytes += values.len() * T::BYTES;
            self.blocks.push(Block { runs, place: Place::Mem(self.mem.len()) });
            self.mem.push(values);
        }
        self.runs += runs;
        Ok(())
    }

    /// Opens the file to write and moves the blocks held in memory into it, so that the
    /// file holds every run in order.
    fn start_file(&mut self) -> io::Result<()> {
        let path = match &self.keep {
            Keep::File(p) => p.clone(),
            Keep::Spill { dir, .. } => {
                let p = dir.join(format!(".tierlab-store-{}-{}.tmp", std::process::id(), unique()));
                self.temporary = Some(p.clone());
                p
            }
            Keep::Memory => return Err(io::Error::other("an in-memory store has no file")),
        };
        // Read and write: the store reads its cells back from the file it writes.
        let file = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(true).open(&path)?;
        let mut w = BufWriter::with_capacity(1 << 20, file.try_clone()?);
        w.write_all(MAGIC)?;
        for x in [self.cells as u64, T::BYTES as u64, self.tag[0], self.tag[1], self.tag[2], self.tag[3]] {
            w.write_all(&x.to_le_bytes())?;
        }
        self.files.push((path, file));
        self.writer = Some(w);
        let earlier = std::mem::take(&mut self.blocks);
        let mem = std::mem::take(&mut self.mem);
        self.mem_bytes = 0;
        self.next_offset = HEADER_BYTES;
        for b in &earlier {
            if let Place::Mem(i) = b.place {
                self.write_block(b.runs, &mem[i])?;
            }
        }
        Ok(())
    }

    /// Writes a block at the end of the file.
    fn write_block(&mut self, runs: usize, values: &[T]) -> io::Result<()> {
        let w = self.writer.as_mut().ok_or_else(|| io::Error::other("the store's file is closed"))?;
        w.write_all(&(runs as u64).to_le_bytes())?;
        let mut bytes = Vec::with_capacity(values.len() * T::BYTES);
        for &x in values {
            x.put(&mut bytes);
        }
        w.write_all(&bytes)?;
        let file = self.files.len() - 1;
        self.blocks.push(Block { runs, place: Place::File { file, offset: self.next_offset + 8 } });
        self.next_offset += 8 + bytes.len() as u64;
        Ok(())
    }

    /// Writes out what is buffered, so that [`Store::cell`] and other readers of the file see
    /// every block; a kept file is synced to disk.
    ///
    /// # Errors
    /// The flush fails.
    pub fn flush(&mut self) -> io::Result<()> {
        if let Some(w) = self.writer.as_mut() {
            w.flush()?;
            if matches!(self.keep, Keep::File(_)) {
                w.get_ref().sync_all()?;
            }
        }
        Ok(())
    }

    /// The values of cell `cell` over every run, in run order, into `out`.
    ///
    /// # Errors
    /// A file cannot be read (call [`Store::flush`] after the last push).
    pub fn cell(&self, cell: usize, out: &mut Vec<T>) -> io::Result<()> {
        out.clear();
        out.reserve(self.runs);
        let mut bytes = Vec::new();
        for b in &self.blocks {
            match b.place {
                Place::Mem(i) => out.extend_from_slice(&self.mem[i][cell * b.runs..(cell + 1) * b.runs]),
                Place::File { file, offset } => {
                    bytes.resize(b.runs * T::BYTES, 0);
                    read_exact_at(&self.files[file].1, &mut bytes, offset + (cell * b.runs * T::BYTES) as u64)?;
                    out.extend(bytes.chunks_exact(T::BYTES).map(T::get));
                }
            }
        }
        Ok(())
    }

    /// The stores in the files at `paths`, read as one store: the files in order, each
    /// file's blocks in order (a merge of shards).
    ///
    /// # Errors
    /// A file that cannot be read, is not a store of this kind, ends early, or has another
    /// shape than the first.
    pub fn open(paths: &[PathBuf]) -> Result<Store<T>, StoreError> {
        let mut store: Option<Store<T>> = None;
        for path in paths {
            let invalid = |message: &str| StoreError::Invalid { path: path.clone(), message: message.into() };
            let mut f = File::open(path).map_err(|source| StoreError::Io { path: path.clone(), source })?;
            let len = f.metadata().map_err(|source| StoreError::Io { path: path.clone(), source })?.len();
            let mut head = [0u8; HEADER_BYTES as usize];
            f.read_exact(&mut head).map_err(|_| invalid("not a Tierlab store file (too short)"))?;
            if &head[..8] != MAGIC {
                return Err(invalid("not a Tierlab store file (or one of another version)"));
            }
            let u = |i: usize| u64::from_le_bytes(head[8 + i * 8..16 + i * 8].try_into().unwrap_or([0; 8]));
            let (cells, width, tag) = (u(0) as usize, u(1) as usize, [u(2), u(3), u(4), u(5)]);
            if width != T::BYTES {
                return Err(invalid("holds values of another width than expected"));
            }
            let s = store.get_or_insert_with(|| Store::new(cells, tag, Keep::Memory));
            if s.cells != cells || s.tag != tag {
                return Err(invalid("holds values of another shape than the other files (another scenario?)"));
            }
            let mut at = HEADER_BYTES;
            while at < len {
                f.seek(SeekFrom::Start(at)).map_err(|source| StoreError::Io { path: path.clone(), source })?;
                let mut b = [0u8; 8];
                f.read_exact(&mut b).map_err(|_| invalid("ends early; was the command interrupted?"))?;
                let runs = u64::from_le_bytes(b) as usize;
                let end = at + 8 + (runs * cells * T::BYTES) as u64;
                if end > len {
                    return Err(invalid("ends early; was the command interrupted?"));
                }
                s.blocks.push(Block { runs, place: Place::File { file: s.files.len(), offset: at + 8 } });
                s.runs += runs;
                at = end;
            }
            s.files.push((path.clone(), f));
        }
        store.ok_or_else(|| StoreError::Invalid { path: PathBuf::new(), message: "no store files given".into() })
    }

    /// The runs of each block, in order: a merge replays the shards' chunks as they were.
    pub fn block_runs(&self) -> impl Iterator<Item = usize> + '_ {
        self.blocks.iter().map(|b| b.runs)
    }

    /// Block `k`'s values, cell-major, as [`Store::push_block`] took them.
    ///
    /// # Errors
    /// A file cannot be read.
    pub fn block(&self, k: usize) -> io::Result<Vec<T>> {
        let b = &self.blocks[k];
        match b.place {
            Place::Mem(i) => Ok(self.mem[i].clone()),
            Place::File { file, offset } => {
                let mut bytes = vec![0u8; b.runs * self.cells * T::BYTES];
                read_exact_at(&self.files[file].1, &mut bytes, offset)?;
                Ok(bytes.chunks_exact(T::BYTES).map(T::get).collect())
            }
        }
    }

    /// Where the store writes its file, if it has one.
    pub fn path(&self) -> Option<&Path> {
        self.writer.as_ref().and(self.files.last().map(|(p, _)| p.as_path()))
    }
}

impl<T: StoreValue> Drop for Store<T> {
    fn drop(&mut self) {
        self.writer = None;
        if let Some(p) = self.temporary.take() {
            // A temporary file left behind would only waste disk: nothing to report.
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Errors reading stores back; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// A number no other store of this process has used (temporary file names).
fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[cfg(unix)]
fn read_exact_at(f: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    f.read_exact_at(buf, offset)
}

#[cfg(windows)]
fn read_exact_at(f: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match f.seek_read(buf, offset)? {
            0 => return Err(io::Error::from(io::ErrorKind::UnexpectedEof)),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

#[cfg(not(any(unix, windows)))]
fn read_exact_at(_f: &File, _buf: &mut [u8], _offset: u64) -> io::Result<()> {
    Err(io::Error::other("this platform keeps stores in memory only"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(cells: usize, first_run: usize, runs: usize) -> Vec<f32> {
        let mut v = Vec::with_capacity(cells * runs);
        for c in 0..cells {
            for r in first_run..first_run + runs {
                v.push((c * 1000 + r) as f32);
            }
        }
        v
    }

    fn cells_of(s: &Store<f32>) -> Vec<Vec<f32>> {
        (0..s.cells())
            .map(|c| {
                let mut out = Vec::new();
                s.cell(c, &mut out).unwrap();
                out
            })
            .collect()
    }

    #[test]
    fn a_cell_reads_back_every_run_in_order_however_kept() {
        let dir = tempfile::tempdir().unwrap();
        let cuts = [(0, 3), (3, 5), (8, 1), (9, 7)];
        let keeps = [
            Keep::Memory,
            Keep::Spill { dir: dir.path().to_path_buf(), budget_bytes: 3 * 8 * 4 },
            Keep::File(dir.path().join("kept.bin")),
        ];
        let mut seen = Vec::new();
        for keep in keeps {
            let mut s = Store::<f32>::new(3, [1, 2, 3, 4], keep);
            for &(first, n) in &cuts {
                s.push_block(n, block(3, first, n)).unwrap();
            }
            s.flush().unwrap();
            assert_eq!(s.runs(), 16);
            let cells = cells_of(&s);
            assert_eq!(cells[2], (0..16).map(|r| (2000 + r) as f32).collect::<Vec<_>>());
            seen.push(cells);
        }
        assert!(seen.windows(2).all(|w| w[0] == w[1]));
        // The spilled store's temporary file goes when it does; the kept file stays.
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, vec![std::ffi::OsString::from("kept.bin")]);
    }

    #[test]
    fn files_open_as_one_store_and_refuse_another_shape() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.bin"), dir.path().join("b.bin"));
        let mut s1 = Store::<f64>::new(2, [7, 0, 0, 0], Keep::File(a.clone()));
        s1.push_block(4, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]).unwrap();
        s1.flush().unwrap();
        let mut s2 = Store::<f64>::new(2, [7, 0, 0, 0], Keep::File(b.clone()));
        s2.push_block(1, vec![9.0, 10.0]).unwrap();
        s2.flush().unwrap();
        drop((s1, s2));
        let both = Store::<f64>::open(&[a.clone(), b.clone()]).unwrap();
        let mut out = Vec::new();
        both.cell(1, &mut out).unwrap();
        assert_eq!(out, vec![5.0, 6.0, 7.0, 8.0, 10.0]);
        assert_eq!(both.block_runs().collect::<Vec<_>>(), vec![4, 1]);
        assert_eq!(both.block(1).unwrap(), vec![9.0, 10.0]);

        let c = dir.path().join("c.bin");
        let mut s3 = Store::<f64>::new(2, [8, 0, 0, 0], Keep::File(c.clone()));
        s3.push_block(1, vec![0.0, 0.0]).unwrap();
        s3.flush().unwrap();
        drop(s3);
        assert!(Store::<f64>::open(&[a.clone(), c]).is_err(), "another shape tag");
        assert!(Store::<f32>::open(std::slice::from_ref(&a)).is_err(), "another value width");
        let bytes = std::fs::read(&a).unwrap();
        std::fs::write(&a, &bytes[..bytes.len() - 3]).unwrap();
        let err = Store::<f64>::open(&[a]).unwrap_err().to_string();
        assert!(err.contains("ends early"), "{err}");
    }
}
