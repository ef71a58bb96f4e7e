//! Time comes in from outside through a `Clock`, so rules and tests can fix it.

use chrono::{DateTime, Duration, Utc};
use std::sync::Mutex;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

/// The real clock. The only place that reads the system time.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock for tests: stands still until told to move.
#[derive(Debug)]
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    pub fn at(time: DateTime<Utc>) -> Self {
        Self(Mutex::new(time))
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *now += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_clock_moves_only_when_told() {
        let start = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let clock = FixedClock::at(start);
        assert_eq!(clock.now(), start);
        clock.advance(Duration::days(15));
        assert_eq!(clock.now(), start + Duration::days(15));
    }
}

/// UK time, for things that happen in town at a time of day (meetings): British Summer Time
/// runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October.
pub mod uk {
    use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};

    fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
        let first_of_next = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)?
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)?
        };
        let last = first_of_next.pred_opt()?;
        let back = last.weekday().num_days_from_sunday();
        last.checked_sub_signed(Duration::days(i64::from(back)))
    }

    fn summer_time(at: DateTime<Utc>) -> bool {
        let year = at.year();
        let starts = last_sunday(year, 3).and_then(|d| d.and_hms_opt(1, 0, 0)).map(|t| Utc.from_utc_datetime(&t));
        let ends = last_sunday(year, 10).and_then(|d| d.and_hms_opt(1, 0, 0)).map(|t| Utc.from_utc_datetime(&t));
        matches!((starts, ends), (Some(s), Some(e)) if at >= s && at < e)
    }

    /// The UK's offset from UTC at that moment.
    pub fn offset(at: DateTime<Utc>) -> Duration {
        if summer_time(at) { Duration::hours(1) } else { Duration::zero() }
    }

    /// The time on a UK clock.
    pub fn local(at: DateTime<Utc>) -> NaiveDateTime {
        let utc = at.naive_utc();
        utc.checked_add_signed(offset(at)).unwrap_or(utc)
    }

    /// The moment a UK clock shows `local` (None at the very ends of the calendar). In the hour
    /// the clocks go back, the first of the two moments; in the hour they skip, the moment an
    /// hour later.
    pub fn from_local(local: NaiveDateTime) -> Option<DateTime<Utc>> {
        let summer = Utc.from_utc_datetime(&local.checked_sub_signed(Duration::hours(1))?);
        Some(if summer_time(summer) { summer } else { Utc.from_utc_datetime(&local) })
    }

    /// "Thursday 3 December 2026 at 19:00".
    pub fn describe(at: DateTime<Utc>) -> String {
        local(at).format("%A %-d %B %Y at %H:%M").to_string()
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn summer_time_follows_the_uk_rule() {
            let winter = Utc.with_ymd_and_hms(2026, 12, 3, 19, 0, 0).unwrap();
            assert_eq!(describe(winter), "Thursday 3 December 2026 at 19:00");
            let summer = Utc.with_ymd_and_hms(2026, 7, 2, 18, 0, 0).unwrap();
            assert_eq!(describe(summer), "Thursday 2 July 2026 at 19:00");
            // 2026: BST from 29 March 01:00 UTC to 25 October 01:00 UTC.
            assert_eq!(offset(Utc.with_ymd_and_hms(2026, 3, 29, 0, 59, 0).unwrap()), Duration::zero());
            assert_eq!(offset(Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap()), Duration::hours(1));
            assert_eq!(offset(Utc.with_ymd_and_hms(2026, 10, 25, 0, 59, 0).unwrap()), Duration::hours(1));
            assert_eq!(offset(Utc.with_ymd_and_hms(2026, 10, 25, 1, 0, 0).unwrap()), Duration::zero());
            for at in [winter, summer] {
                assert_eq!(from_local(local(at)), Some(at));
            }
        }
    }
}
