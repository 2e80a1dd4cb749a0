//! `--timings`: how long each phase of a build took, and the process's
//! resident memory at its end.

use std::time::Instant;

/// One phase of a build, for `--timings`: how long it took, and the
/// process's resident memory at its end (MiB, where the system tells).
#[derive(Debug, Clone)]
pub struct Phase {
    pub name: &'static str,
    pub ms: f64,
    pub resident_mib: Option<f64>,
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "  {:<26} {:>9.1} ms", self.name, self.ms)?;
        if let Some(mib) = self.resident_mib {
            write!(f, " {mib:>8.0} MiB resident")?;
        }
        Ok(())
    }
}

/// The resident memory of this process, from `/proc` where there is one.
pub(super) fn resident_mib() -> Option<f64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: f64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096.0 / (1024.0 * 1024.0))
}

/// Times the phases of a build, for `--timings`.
pub struct Timer {
    start: Instant,
    pub phases: Vec<Phase>,
}

impl Timer {
    pub fn new() -> Timer {
        Timer {
            start: Instant::now(),
            phases: Vec::new(),
        }
    }

    pub fn lap(&mut self, name: &'static str) {
        let now = Instant::now();
        self.phases.push(Phase {
            name,
            ms: now.duration_since(self.start).as_secs_f64() * 1000.0,
            resident_mib: resident_mib(),
        });
        self.start = now;
    }
}

impl Default for Timer {
    fn default() -> Timer {
        Timer::new()
    }
}
