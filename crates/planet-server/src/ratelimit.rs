//! Rate limits against guessing and flooding: logging in, password resets, invitations,
//! applications. Keys are emails, member ids or addresses; answers are uniform either way.

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::time::Duration;

pub struct Limits {
    /// Attempts to log in to one account.
    pub login_per_account: DefaultKeyedRateLimiter<String>,
    /// Attempts to log in from one address, to any account.
    pub login_per_address: DefaultKeyedRateLimiter<String>,
    /// Reset emails for one account.
    pub reset_per_account: DefaultKeyedRateLimiter<String>,
    /// Reset requests from one address.
    pub reset_per_address: DefaultKeyedRateLimiter<String>,
    /// Invitations one member makes.
    pub invitations_per_member: DefaultKeyedRateLimiter<String>,
    /// Applications and invitation look-ups from one address.
    pub applications_per_address: DefaultKeyedRateLimiter<String>,
}

fn quota(burst: u32, one_every: Duration) -> Quota {
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(one_every).unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN)).allow_burst(burst)
}

impl Default for Limits {
    fn default() -> Self {
        const MINUTE: Duration = Duration::from_secs(60);
        Self {
            login_per_account: RateLimiter::keyed(quota(10, MINUTE)),
            login_per_address: RateLimiter::keyed(quota(30, MINUTE / 6)),
            reset_per_account: RateLimiter::keyed(quota(3, MINUTE * 20)),
            reset_per_address: RateLimiter::keyed(quota(10, MINUTE)),
            invitations_per_member: RateLimiter::keyed(quota(20, MINUTE * 30)),
            applications_per_address: RateLimiter::keyed(quota(20, MINUTE)),
        }
    }
}

/// Whether one more attempt under `key` is allowed now.
pub fn allow(limiter: &DefaultKeyedRateLimiter<String>, key: &str) -> bool {
    limiter.check_key(&key.to_owned()).is_ok()
}
