//! Progress bars on stderr for the long commands: shown only when stderr is a terminal and
//! `--quiet` is not given, so pipes and CI logs stay clean.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A bar of `len` steps drawn with `template`, or `None` when no bar should show.
pub(crate) fn bar(len: u64, template: &str, quiet: bool) -> Option<ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let b = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template(template) {
        b.set_style(style);
    }
    Some(b)
}

/// Runs `work` while another thread calls `tick` every `every` (to move a bar from a counter
/// the work advances, such as `Control::runs_done`). The poller stops when the work ends,
/// even by a panic.
pub(crate) fn polled<T: Send>(every: Duration, tick: impl Fn() + Sync, work: impl FnOnce() -> T + Send) -> T {
    struct Done<'a>(&'a AtomicBool);
    impl Drop for Done<'_> {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                tick();
                std::thread::sleep(every);
            }
        });
        let _done = Done(&done);
        work()
    })
}
