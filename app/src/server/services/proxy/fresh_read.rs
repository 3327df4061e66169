//! A value read from the database afresh for every caller, with one read shared by all the
//! callers that arrive while another read is running.
//!
//! The proxy reads the configuration version on every request, so that a change committed
//! before a request arrived (a revoked token, a new price) is in force for it. That only needs
//! a read that *began* after the request arrived: a read already under way may have begun
//! before the change, but the next one has not. So while a read runs, every caller arriving
//! meanwhile waits for the next one, and that one read answers them all. Under load the
//! database then sees about one read per read's duration rather than one per request, and no
//! caller ever gets a value older than its own arrival.

use super::super::ServiceError;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use tokio::sync::Notify;

#[derive(Default)]
pub struct FreshRead {
    state: Mutex<Reads>,
    finished: Notify,
    reads: AtomicU64,
}

#[derive(Default)]
struct Reads {
    /// Reads begun so far; the running one, if any, is number `begun`.
    begun: u64,
    running: bool,
    /// The number of the last read to finish, and its value (`None`: it failed).
    last: u64,
    value: Option<i64>,
}

/// Ends the running read even when its caller stops waiting for it (the request was dropped),
/// so the callers waiting behind it are never stranded.
struct Running<'a> {
    shared: &'a FreshRead,
    number: u64,
    value: Option<i64>,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        {
            let mut reads = self.shared.lock();
            reads.running = false;
            if self.value.is_some() || reads.last < self.number {
                reads.last = self.number;
                reads.value = self.value;
            }
        }
        self.shared.finished.notify_waiters();
    }
}

impl FreshRead {
    fn lock(&self) -> std::sync::MutexGuard<'_, Reads> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads made so far (not callers served).
    pub fn reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }

    /// A value `read` returned in a read that began after this call did.
    pub async fn get<F, Fut>(&self, read: F) -> Result<i64, ServiceError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<i64, ServiceError>>,
    {
        // Every read numbered above those begun so far begins after now.
        let needed = self.lock().begun + 1;
        loop {
            // Registered before looking, so a read finishing in between still wakes us.
            let finished = self.finished.notified();
            tokio::pin!(finished);
            finished.as_mut().enable();
            let number = {
                let mut reads = self.lock();
                if reads.last >= needed {
                    match reads.value {
                        Some(value) => return Ok(value),
                        // It failed: read alone, for an error of our own.
                        None => break,
                    }
                }
                if reads.running {
                    None
                } else {
                    reads.running = true;
                    reads.begun += 1;
                    Some(reads.begun)
                }
            };
            if let Some(number) = number {
                let mut running = Running {
                    shared: self,
                    number,
                    value: None,
                };
                self.reads.fetch_add(1, Ordering::Relaxed);
                let result = read().await;
                running.value = result.as_ref().ok().copied();
                return result;
            }
            finished.await;
        }
        self.reads.fetch_add(1, Ordering::Relaxed);
        read().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicI64;
    use std::sync::Arc;
    use std::time::Duration;

    /// A slow "database" whose value callers change between reads.
    #[derive(Default)]
    struct Source {
        value: AtomicI64,
    }

    impl Source {
        async fn read(&self) -> Result<i64, ServiceError> {
            // The value is taken when the read begins, as a database snapshot would be.
            let value = self.value.load(Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok(value)
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn callers_arriving_together_share_reads_and_none_sees_an_older_value() {
        let shared = Arc::new(FreshRead::default());
        let source = Arc::new(Source::default());
        let mut callers = Vec::new();
        for n in 0..200 {
            // The value changes every 20 callers; each caller must see at least the value set
            // before it arrived.
            if n % 20 == 0 {
                source.value.store(n / 20, Ordering::SeqCst);
            }
            let floor = n / 20;
            let (shared, source) = (shared.clone(), source.clone());
            callers.push(tokio::spawn(async move {
                let seen = shared.get(|| source.read()).await.unwrap();
                assert!(seen >= floor, "saw {seen} after {floor} was set");
            }));
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        for caller in callers {
            caller.await.unwrap();
        }
        let reads = shared.reads();
        assert!(reads < 100, "{reads} reads for 200 callers");
    }

    #[tokio::test]
    async fn a_failed_read_leaves_each_waiter_its_own_and_a_dropped_one_strands_nobody() {
        let shared = FreshRead::default();
        let failing = || async { Err::<i64, _>(ServiceError::Internal("down".to_owned())) };
        assert!(shared.get(failing).await.is_err());
        // A read whose caller gave up half way.
        let slow = || async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok(1)
        };
        assert!(
            tokio::time::timeout(Duration::from_millis(10), shared.get(slow))
                .await
                .is_err()
        );
        let quick = || async { Ok(7) };
        let value = tokio::time::timeout(Duration::from_secs(1), shared.get(quick)).await;
        assert_eq!(value.unwrap().unwrap(), 7);
    }
}
