//! The hash chain: every change of state of every transfer is a link whose hash covers the
//! change and the hash of the link before. Each day's last hash (the day's *head*) is shown to
//! members; whoever noted one can later check that nothing before it was rewritten, since
//! changing any earlier link changes every hash after it.

use super::{Entry, TransferKind, TransferState};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The hash before the first link.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One change of state of one transfer, as the chain covers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link<'a> {
    /// Its place in the chain, from 1.
    pub seq: i64,
    pub transfer: Uuid,
    pub kind: TransferKind,
    pub state: TransferState,
    pub currency: Uuid,
    pub at: DateTime<Utc>,
    pub entries: &'a [Entry<Uuid>],
    pub description: &'a str,
    /// Who made the change (none for the system).
    pub by: Option<Uuid>,
}

impl Link<'_> {
    /// The link's hash, given the hash before it: SHA-256 of a fixed text layout, as lowercase
    /// hex. The layout is part of the ledger's history: never change it.
    pub fn hash(&self, previous: &str) -> String {
        let mut hasher = Sha256::new();
        hasher.update(b"planet-ledger-v1\n");
        hasher.update(previous.as_bytes());
        hasher.update(b"\n");
        let by = self.by.map(|b| b.to_string()).unwrap_or_default();
        let head = format!(
            "{}\n{}\n{}\n{}\n{}\n{}\n{}\n",
            self.seq,
            self.transfer,
            self.kind.as_str(),
            self.state.as_str(),
            self.currency,
            self.at.timestamp_micros(),
            by
        );
        hasher.update(head.as_bytes());
        for entry in self.entries {
            let line = format!("{}>{}:{}:{}\n", entry.from, entry.to, entry.amount, entry.purpose.as_str());
            hasher.update(line.as_bytes());
        }
        hasher.update(self.description.as_bytes());
        hex(&hasher.finalize())
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// Where a chain stops verifying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The first link whose stored hash is not what its contents give.
    pub seq: i64,
}

/// Checks stored links in order from the first, a page at a time: each must follow the one
/// before (seq one more) and carry the hash its contents give.
#[derive(Debug, Clone)]
pub struct Verifier {
    previous: String,
    next_seq: i64,
}

impl Default for Verifier {
    fn default() -> Self {
        Self { previous: GENESIS.to_owned(), next_seq: 1 }
    }
}

impl Verifier {
    pub fn check(&mut self, link: &Link<'_>, stored: &str) -> Result<(), Broken> {
        if link.seq != self.next_seq || link.hash(&self.previous) != stored {
            return Err(Broken { seq: link.seq });
        }
        self.previous = stored.to_owned();
        self.next_seq += 1;
        Ok(())
    }

    /// The hash of the last link checked (the chain's head so far).
    pub fn head(&self) -> &str {
        &self.previous
    }

    /// How many links have been checked.
    pub fn checked(&self) -> i64 {
        self.next_seq - 1
    }
}
