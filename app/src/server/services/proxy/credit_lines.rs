//! Credit lines: one ledger hold covering many requests of the same wallet, divided up in
//! memory, so a well-funded customer's request is admitted without waiting for the database.
//!
//! The ledger still holds every cent a request may spend: a line is an ordinary pending hold
//! for several requests' estimates, and a request may use it only while the line's unspent,
//! unreserved part covers its own estimate. Each request's charge is posted as its own usage
//! transaction when it ends; the line's hold is voided (its remainder released) once it has no
//! request in flight and either sat idle for [`IDLE`] or stopped taking requests ([`OPEN_FOR`]).
//! Until then the wallet shows the whole line as held, never less than is really reserved.
//!
//! Lines are opened only for a wallet that could cover [`HEADROOM`] of them (see the writer),
//! so a customer near the end of their credit gets exact per-request holds and is never refused
//! because another replica's line holds money they could still use.

use super::super::ledger::WalletKind;
use super::billing::Reservation;
use super::writer::Held;
use chrono::{DateTime, Duration, Utc};
use std::collections::{HashMap, HashSet};
use std::time::Instant;

/// A line covers at least this many requests like the one that opened it...
pub const USES_PER_LINE: i64 = 16;

/// ...and at most this many: lines are sized to last about [`LINE_SPAN`] at the wallet's
/// recent rate of requests.
pub const MAX_USES_PER_LINE: i64 = 4096;

/// How long a line should last at the rate its wallet's requests arrive.
const LINE_SPAN: std::time::Duration = std::time::Duration::from_secs(2);

/// A line is opened only when the wallet's available balance covers this many lines.
pub const HEADROOM: i64 = 4;

/// How long a line takes new requests after it was opened: its hold must outlive every request
/// it admits, so it expires `OPEN_FOR` after the last hold deadline it could have admitted.
pub const OPEN_FOR: Duration = Duration::seconds(30);

/// A line with nothing in flight for this long is released.
pub const IDLE: std::time::Duration = std::time::Duration::from_secs(1);

/// After a request fell through to a later wallet (the preferred one could not cover it), the
/// preferred wallet's lines are passed over for this long; after a wallet was found too lean
/// for a line, its requests hold one by one for this long.
const REMEMBER: std::time::Duration = std::time::Duration::from_secs(1);

/// One open line: a pending ledger hold of `capacity`.
#[derive(Debug)]
struct Line {
    hold_id: i64,
    account_id: i64,
    wallet: WalletKind,
    capacity: i64,
    /// Estimates of requests in flight plus charges already posted against the line.
    committed: i64,
    in_flight: u32,
    /// Uses handed out; numbers each use's settlement.
    uses: u64,
    /// No request is admitted at or after this moment.
    open_until: DateTime<Utc>,
    /// When the line's hold expires: no request whose own hold would outlive it is admitted.
    expires_at: DateTime<Utc>,
    last_used: Instant,
}

impl Line {
    /// Admits a request of `amount` on the line.
    fn take(&mut self, amount: i64, moment: Instant) -> Reservation {
        self.committed += amount;
        self.in_flight += 1;
        self.uses += 1;
        self.last_used = moment;
        Reservation {
            hold_id: self.hold_id,
            account_id: self.account_id,
            amount,
            wallet: self.wallet,
            spend_limited: false,
            line_use: Some(self.uses),
        }
    }
}

/// Accounts noted for the next [`REMEMBER`].
#[derive(Debug, Default)]
struct Recent(HashMap<i64, Instant>);

impl Recent {
    fn note(&mut self, account: i64) {
        self.0.insert(account, Instant::now() + REMEMBER);
    }

    fn has(&self, account: i64, moment: Instant) -> bool {
        self.0.get(&account).is_some_and(|until| moment < *until)
    }

    fn forget_old(&mut self, moment: Instant) {
        self.0.retain(|_, until| moment < *until);
    }
}

/// The open lines of one process, by ledger account.
#[derive(Debug, Default)]
pub struct CreditLines {
    lines: HashMap<i64, Vec<Line>>,
    /// Accounts a request recently fell through (they could not cover it).
    passed_over: Recent,
    /// Accounts recently too lean for a line.
    lean: Recent,
    /// Per account: when its last line was sized, and for how many uses.
    sizing: HashMap<i64, (Instant, i64)>,
    /// Accounts with a line being opened ahead of their requests.
    refilling: HashSet<i64>,
}

/// A request admitted on a line, and, when a further line should be opened now (before this
/// one runs out or closes, so the wallet's next requests need not wait for one), how many
/// requests it should cover.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Admitted {
    pub reservation: Reservation,
    pub refill: Option<i64>,
}

/// A line that has closed to new requests and has none in flight: its hold is to be voided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retired {
    pub hold_id: i64,
    pub account_id: i64,
}

impl CreditLines {
    /// Admits a request of `amount` on an open line of the first source that has room, trying
    /// a later source only while the earlier ones are known to be short. `deadline` is when the
    /// request's own hold would expire.
    pub fn admit(
        &mut self,
        sources: &[(i64, WalletKind)],
        amount: i64,
        deadline: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Option<Admitted> {
        let moment = Instant::now();
        let usable = |line: &Line| now < line.open_until && deadline <= line.expires_at;
        for (account_id, _) in sources {
            let Some((lines, index)) = self.lines.get_mut(account_id).and_then(|lines| {
                let index = lines
                    .iter()
                    .position(|line| usable(line) && line.capacity - line.committed >= amount)?;
                Some((lines, index))
            }) else {
                if self.passed_over.has(*account_id, moment) {
                    continue;
                }
                return None;
            };
            let reservation = lines[index].take(amount, moment);
            // A line more than half used, or closing within a few seconds, wants a successor
            // unless another line has that much room.
            let ample = |line: &Line| {
                usable(line)
                    && line.capacity - line.committed >= line.capacity / 2
                    && line.open_until - now > Duration::seconds(5)
            };
            let wanted = !lines.iter().any(ample) && self.refilling.insert(*account_id);
            return Some(Admitted {
                reservation,
                refill: wanted.then(|| self.uses_for_next_line(*account_id)),
            });
        }
        None
    }

    /// How many uses the next line of `account` should cover: enough for [`LINE_SPAN`] at the
    /// rate lines were needed lately, but at most twice the last line (a burst does not hold
    /// a large part of the wallet at once), within [`USES_PER_LINE`]..=[`MAX_USES_PER_LINE`].
    pub fn uses_for_next_line(&mut self, account: i64) -> i64 {
        let moment = Instant::now();
        let uses = match self.sizing.get(&account) {
            Some((sized, uses)) => {
                let since = i64::try_from(moment.duration_since(*sized).as_millis())
                    .unwrap_or(i64::MAX)
                    .max(1);
                let span = i64::try_from(LINE_SPAN.as_millis()).unwrap_or(i64::MAX);
                std::cmp::min(uses.saturating_mul(span) / since, uses.saturating_mul(2))
            }
            None => USES_PER_LINE,
        }
        .clamp(USES_PER_LINE, MAX_USES_PER_LINE);
        self.sizing.insert(account, (moment, uses));
        uses
    }

    /// The line opened ahead for `account` is in place (`None`: none could be).
    pub fn refilled(&mut self, account_id: i64, line: Option<Held>, now: DateTime<Utc>) {
        self.refilling.remove(&account_id);
        if let Some(held) = line {
            self.add(held, now);
        }
    }

    /// Records a new line whose first use is the request that opened it; returns that use.
    pub fn open(&mut self, held: Held, amount: i64, now: DateTime<Utc>) -> Reservation {
        self.add(held, now).take(amount, Instant::now())
    }

    /// A new, unused line on the hold `held`.
    fn add(&mut self, held: Held, now: DateTime<Utc>) -> &mut Line {
        let lines = self.lines.entry(held.account_id).or_default();
        lines.push(Line {
            hold_id: held.hold_id,
            account_id: held.account_id,
            wallet: held.wallet,
            capacity: held.amount,
            committed: 0,
            in_flight: 0,
            uses: 0,
            open_until: now + OPEN_FOR,
            expires_at: held.expires_at,
            last_used: Instant::now(),
        });
        let last = lines.len() - 1;
        &mut lines[last]
    }

    /// Notes that a request fell through `skipped` accounts (they could not cover it).
    pub fn pass_over(&mut self, skipped: impl IntoIterator<Item = i64>) {
        for account in skipped {
            self.passed_over.note(account);
        }
    }

    /// Notes that `account` could not take a line (its requests then hold one by one).
    pub fn note_lean(&mut self, account: i64) {
        self.lean.note(account);
    }

    /// Whether `account` was recently too lean for a line.
    pub fn is_lean(&self, account: i64) -> bool {
        self.lean.has(account, Instant::now())
    }

    /// Ends a use: its estimate is no longer reserved, and `spent` (posted) now counts against
    /// the line. `line_ended` says the line's hold was found no longer pending: it is dropped.
    pub fn finish(&mut self, use_of: &Reservation, spent: i64, line_ended: bool) {
        let Some(lines) = self.lines.get_mut(&use_of.account_id) else {
            return;
        };
        if line_ended {
            lines.retain(|line| line.hold_id != use_of.hold_id);
            if lines.is_empty() {
                self.lines.remove(&use_of.account_id);
            }
            return;
        }
        if let Some(line) = lines.iter_mut().find(|line| line.hold_id == use_of.hold_id) {
            line.committed += spent - use_of.amount;
            line.in_flight = line.in_flight.saturating_sub(1);
            line.last_used = Instant::now();
        }
    }

    /// Takes out the lines to release: nothing in flight, and closed to new requests, idle for
    /// [`IDLE`], or used up. With `all`, every line with nothing in flight (at shutdown).
    pub fn retire(&mut self, now: DateTime<Utc>, all: bool) -> Vec<Retired> {
        let moment = Instant::now();
        let mut retired = Vec::new();
        for lines in self.lines.values_mut() {
            lines.retain(|line| {
                let done = line.in_flight == 0
                    && (all
                        || now >= line.open_until
                        || moment.duration_since(line.last_used) >= IDLE
                        || line.committed >= line.capacity);
                if done {
                    retired.push(Retired {
                        hold_id: line.hold_id,
                        account_id: line.account_id,
                    });
                }
                !done
            });
        }
        self.lines.retain(|_, lines| !lines.is_empty());
        self.passed_over.forget_old(moment);
        self.lean.forget_old(moment);
        self.sizing
            .retain(|_, (sized, _)| moment.duration_since(*sized) < LINE_SPAN * 8);
        retired
    }

    /// Whether a line is being opened ahead of requests.
    pub fn is_refilling(&self) -> bool {
        !self.refilling.is_empty()
    }

    /// Lines open in this process.
    pub fn len(&self) -> usize {
        self.lines.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: (i64, WalletKind) = (1, WalletKind::Token);
    const CASH: (i64, WalletKind) = (2, WalletKind::Cash);

    fn deadline(now: DateTime<Utc>) -> DateTime<Utc> {
        now + Duration::minutes(65)
    }

    fn expiry(opened: DateTime<Utc>) -> DateTime<Utc> {
        deadline(opened) + OPEN_FOR
    }

    fn line(
        hold_id: i64,
        (account_id, wallet): (i64, WalletKind),
        amount: i64,
        opened: DateTime<Utc>,
    ) -> Held {
        Held {
            hold_id,
            account_id,
            wallet,
            amount,
            line: true,
            expires_at: expiry(opened),
        }
    }

    #[test]
    fn a_line_admits_until_its_capacity_is_reserved() {
        let now = Utc::now();
        let mut lines = CreditLines::default();
        let first = lines.open(line(10, TOKEN, 100, now), 30, now);
        assert_eq!(first.line_use, Some(1));
        let second = lines
            .admit(&[TOKEN], 30, deadline(now), now)
            .unwrap()
            .reservation;
        let third = lines
            .admit(&[TOKEN], 40, deadline(now), now)
            .unwrap()
            .reservation;
        assert_eq!((second.hold_id, third.line_use), (10, Some(3)));
        assert!(
            lines.admit(&[TOKEN], 1, deadline(now), now).is_none(),
            "full"
        );
        // The first cost 10 of its 30: 20 comes back.
        lines.finish(&first, 10, false);
        assert!(lines.admit(&[TOKEN], 21, deadline(now), now).is_none());
        assert!(lines.admit(&[TOKEN], 20, deadline(now), now).is_some());
    }

    #[test]
    fn a_charge_above_the_estimate_counts_in_full() {
        let now = Utc::now();
        let mut lines = CreditLines::default();
        let first = lines.open(line(10, TOKEN, 100, now), 10, now);
        lines.finish(&first, 95, false);
        assert!(lines.admit(&[TOKEN], 6, deadline(now), now).is_none());
        assert!(lines.admit(&[TOKEN], 5, deadline(now), now).is_some());
    }

    #[test]
    fn closed_lines_admit_nothing_and_retire_when_idle() {
        let now = Utc::now();
        let mut lines = CreditLines::default();
        let first = lines.open(line(10, TOKEN, 100, now), 10, now);
        let later = now + OPEN_FOR;
        assert!(lines.admit(&[TOKEN], 1, deadline(later), later).is_none());
        let long = expiry(now) + Duration::seconds(1);
        assert!(
            lines.admit(&[TOKEN], 1, long, now).is_none(),
            "a request whose hold would outlive the line's"
        );
        assert!(lines.retire(later, false).is_empty(), "a use is in flight");
        lines.finish(&first, 10, false);
        assert_eq!(
            lines.retire(later, false),
            vec![Retired {
                hold_id: 10,
                account_id: TOKEN.0
            }]
        );
        assert!(lines.is_empty());
    }

    #[test]
    fn a_used_up_line_retires_at_once_and_shutdown_takes_the_rest() {
        let now = Utc::now();
        let mut lines = CreditLines::default();
        let used_up = lines.open(line(10, TOKEN, 100, now), 10, now);
        let fresh = lines.open(line(11, CASH, 100, now), 10, now);
        lines.finish(&used_up, 100, false);
        lines.finish(&fresh, 1, false);
        assert_eq!(lines.retire(now, false).len(), 1);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines.retire(now, true).len(), 1);
    }

    #[test]
    fn the_preferred_wallet_comes_first_unless_it_was_short() {
        let now = Utc::now();
        let mut lines = CreditLines::default();
        lines.open(line(11, CASH, 100, now), 10, now);
        assert!(
            lines
                .admit(&[TOKEN, CASH], 10, deadline(now), now)
                .is_none(),
            "the Token Wallet may have credit: ask the database"
        );
        lines.pass_over([TOKEN.0]);
        let admitted = lines
            .admit(&[TOKEN, CASH], 10, deadline(now), now)
            .unwrap()
            .reservation;
        assert_eq!(admitted.wallet, WalletKind::Cash);
    }

    #[test]
    fn a_successor_is_wanted_once_a_line_is_half_used() {
        let now = Utc::now();
        let mut lines = CreditLines::default();
        lines.open(line(10, TOKEN, 100, now), 10, now);
        let refills: Vec<bool> = (0..5)
            .map(|_| {
                lines
                    .admit(&[TOKEN], 10, deadline(now), now)
                    .unwrap()
                    .refill
                    .is_some()
            })
            .collect();
        // 20 to 50 committed leave half; at 60 it asks once; the next sees it under way.
        assert_eq!(refills, [false, false, false, false, true]);
        assert!(lines
            .admit(&[TOKEN], 10, deadline(now), now)
            .unwrap()
            .refill
            .is_none());
        lines.refilled(TOKEN.0, Some(line(11, TOKEN, 100, now)), now);
        let admitted = lines.admit(&[TOKEN], 60, deadline(now), now).unwrap();
        assert_eq!(
            admitted.reservation.hold_id, 11,
            "the first line lacks room"
        );
        assert!(admitted.refill.is_some(), "both lines are now half used");
    }

    #[test]
    fn lines_grow_with_the_rate_of_requests() {
        let mut lines = CreditLines::default();
        assert_eq!(lines.uses_for_next_line(TOKEN.0), USES_PER_LINE);
        // Needed again at once: twice as large each time, up to the most allowed.
        assert_eq!(lines.uses_for_next_line(TOKEN.0), 2 * USES_PER_LINE);
        assert_eq!(lines.uses_for_next_line(TOKEN.0), 4 * USES_PER_LINE);
        for _ in 0..20 {
            lines.uses_for_next_line(TOKEN.0);
        }
        assert_eq!(lines.uses_for_next_line(TOKEN.0), MAX_USES_PER_LINE);
        assert_eq!(lines.uses_for_next_line(CASH.0), USES_PER_LINE);
    }

    #[test]
    fn leanness_is_remembered_briefly() {
        let mut lines = CreditLines::default();
        assert!(!lines.is_lean(TOKEN.0));
        lines.note_lean(TOKEN.0);
        assert!(lines.is_lean(TOKEN.0) && !lines.is_lean(CASH.0));
    }

    #[test]
    fn an_ended_line_is_forgotten() {
        let now = Utc::now();
        let mut lines = CreditLines::default();
        let first = lines.open(line(10, TOKEN, 100, now), 10, now);
        lines.finish(&first, 0, true);
        assert!(lines.is_empty());
        assert!(lines.admit(&[TOKEN], 1, deadline(now), now).is_none());
    }
}
