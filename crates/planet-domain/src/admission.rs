//! Admission: how a person invited by a member becomes a member.
//!
//! An application is a small state machine. Whether a steward may approve it is decided by an
//! [`AdmissionRule`]; today the rule is "a steward approves", and the vouching rule of Who We
//! Are ("two members who know them in real life have vouched") plugs in as another rule
//! without touching the machine.

use crate::MemberId;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How long an invitation link can be used.
pub const INVITATION_LIFETIME: Duration = Duration::days(14);

/// How long an invitation into a group stands (after that, a secret group is hidden again).
pub const SPACE_INVITATION_LIFETIME: Duration = Duration::days(14);

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    Waiting,
    Approved,
    Declined,
    Withdrawn,
}

impl ApplicationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationStatus::Waiting => "waiting",
            ApplicationStatus::Approved => "approved",
            ApplicationStatus::Declined => "declined",
            ApplicationStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "waiting" => Some(ApplicationStatus::Waiting),
            "approved" => Some(ApplicationStatus::Approved),
            "declined" => Some(ApplicationStatus::Declined),
            "withdrawn" => Some(ApplicationStatus::Withdrawn),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ApplicationStatus::Waiting => "Waiting for a steward",
            ApplicationStatus::Approved => "Approved",
            ApplicationStatus::Declined => "Not admitted",
            ApplicationStatus::Withdrawn => "Withdrawn",
        }
    }
}

/// What can happen to an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdmissionEvent {
    Approve,
    Decline,
    Withdraw,
}

/// What is known about an application when a decision is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AdmissionFacts {
    /// Members (other than the applicant) who have vouched for the applicant.
    pub vouches: u32,
}

/// Why an application cannot move.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdmissionError {
    #[error("This application has already been decided ({})", .0.label().to_lowercase())]
    AlreadyDecided(ApplicationStatus),
    #[error("{0}")]
    NotReady(String),
}

impl AdmissionError {
    pub fn code(&self) -> &'static str {
        match self {
            AdmissionError::AlreadyDecided(_) => "application_already_decided",
            AdmissionError::NotReady(_) => "application_not_ready",
        }
    }
}

/// The community's rule for when an application may be approved.
pub trait AdmissionRule {
    fn may_approve(&self, facts: &AdmissionFacts) -> Result<(), AdmissionError>;
}

/// The foundation's rule: a steward's approval is enough.
#[derive(Debug, Clone, Copy, Default)]
pub struct StewardApproval;

impl AdmissionRule for StewardApproval {
    fn may_approve(&self, _facts: &AdmissionFacts) -> Result<(), AdmissionError> {
        Ok(())
    }
}

/// Move an application on, or say why it cannot.
pub fn next_status(
    current: ApplicationStatus,
    event: AdmissionEvent,
    rule: &dyn AdmissionRule,
    facts: &AdmissionFacts,
) -> Result<ApplicationStatus, AdmissionError> {
    if current != ApplicationStatus::Waiting {
        return Err(AdmissionError::AlreadyDecided(current));
    }
    match event {
        AdmissionEvent::Approve => {
            rule.may_approve(facts)?;
            Ok(ApplicationStatus::Approved)
        }
        AdmissionEvent::Decline => Ok(ApplicationStatus::Declined),
        AdmissionEvent::Withdraw => Ok(ApplicationStatus::Withdrawn),
    }
}

/// The community's admission rule, which stewards configure: an applicant becomes a member
/// when enough members of some standing have vouched for them soon enough after applying, at
/// least one of them having met them in person — or when a steward approves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VouchingRule {
    /// How many vouches admit (K).
    pub vouches_needed: u32,
    /// How long a voucher must have been a member (N days).
    pub standing_days: u32,
    /// Vouches count only within this many days of applying.
    pub window_days: u32,
    /// At least one voucher must say they met the applicant in person.
    pub in_person_needed: bool,
    /// How many new vouches for applicants a member may make in seven days.
    pub weekly_vouches: u32,
    /// How many vouches a member may have standing at once.
    pub active_vouches: u32,
}

impl Default for VouchingRule {
    fn default() -> Self {
        Self {
            vouches_needed: 2,
            standing_days: 30,
            window_days: 60,
            in_person_needed: true,
            weekly_vouches: 1,
            active_vouches: 30,
        }
    }
}

/// A field of the rule outside its sensible range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub field: &'static str,
    pub message: String,
}

impl VouchingRule {
    /// Each number within a range a community could sensibly choose.
    pub fn check(self) -> Result<Self, Vec<RuleError>> {
        let ranges: [(&'static str, &str, u32, u32, u32); 5] = [
            ("vouches_needed", "Vouches needed", self.vouches_needed, 1, 10),
            ("standing_days", "Days of membership before vouching", self.standing_days, 0, 365),
            ("window_days", "Days in which vouches count", self.window_days, 7, 365),
            ("weekly_vouches", "New vouches a week", self.weekly_vouches, 1, 10),
            ("active_vouches", "Vouches a member may have at once", self.active_vouches, 1, 100),
        ];
        let errors: Vec<RuleError> = ranges
            .into_iter()
            .filter(|&(_, _, value, low, high)| !(low..=high).contains(&value))
            .map(|(field, what, _, low, high)| RuleError {
                field,
                message: format!("{what} must be a whole number from {low} to {high}"),
            })
            .collect();
        if errors.is_empty() { Ok(self) } else { Err(errors) }
    }
}

/// A vouch for an applicant, with what is needed to judge whether it counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VouchFact {
    pub voucher: MemberId,
    /// When the voucher became a member (`None`: not a member).
    pub voucher_admitted_at: Option<DateTime<Utc>>,
    pub made_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub met_in_person: bool,
}

impl VouchFact {
    /// Whether this vouch stands at `at` and counts under `rule` for an application made at
    /// `applied_at`.
    pub fn counts_at(&self, rule: &VouchingRule, applied_at: DateTime<Utc>, at: DateTime<Utc>) -> bool {
        let standing = Duration::days(i64::from(rule.standing_days));
        let window = Duration::days(i64::from(rule.window_days));
        self.made_at <= at
            && self.made_at >= applied_at
            && self.made_at <= applied_at + window
            && self.revoked_at.is_none_or(|revoked| revoked > at)
            && self.voucher_admitted_at.is_some_and(|admitted| admitted + standing <= self.made_at)
    }
}

/// An admission by vouches: when, and whose vouches did it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VouchAdmission {
    pub at: DateTime<Utc>,
    pub vouchers: Vec<MemberId>,
}

/// The first moment, up to `now`, at which the vouches admitted the applicant, if any.
pub fn admission_by_vouches(
    rule: &VouchingRule,
    applied_at: DateTime<Utc>,
    vouches: &[VouchFact],
    now: DateTime<Utc>,
) -> Option<VouchAdmission> {
    let mut moments: Vec<DateTime<Utc>> = vouches.iter().map(|v| v.made_at).filter(|&at| at <= now).collect();
    moments.sort();
    moments.into_iter().find_map(|at| {
        let mut counting: Vec<&VouchFact> = vouches.iter().filter(|v| v.counts_at(rule, applied_at, at)).collect();
        counting.sort_by_key(|v| (v.made_at, v.voucher));
        counting.dedup_by_key(|v| v.voucher);
        let in_person = !rule.in_person_needed || counting.iter().any(|v| v.met_in_person);
        (counting.len() >= rule.vouches_needed as usize && in_person)
            .then(|| VouchAdmission { at, vouchers: counting.iter().map(|v| v.voucher).collect() })
    })
}

/// A steward's decision on an application, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StewardDecision {
    pub status: ApplicationStatus,
    pub at: DateTime<Utc>,
}

/// Where an application stands, as a pure function of the vouches, the steward's decision (or
/// the applicant's withdrawal), the rule and the clock: whichever came first decides.
pub fn application_outcome(
    rule: &VouchingRule,
    applied_at: DateTime<Utc>,
    decision: Option<StewardDecision>,
    vouches: &[VouchFact],
    now: DateTime<Utc>,
) -> (ApplicationStatus, Option<DateTime<Utc>>) {
    let by_vouches = admission_by_vouches(rule, applied_at, vouches, now);
    match (decision, by_vouches) {
        (Some(decision), Some(admission)) if admission.at < decision.at => {
            (ApplicationStatus::Approved, Some(admission.at))
        }
        (Some(decision), _) => (decision.status, Some(decision.at)),
        (None, Some(admission)) => (ApplicationStatus::Approved, Some(admission.at)),
        (None, None) => (ApplicationStatus::Waiting, None),
    }
}

/// How long a member who vouched for someone removed as fake or a duplicate may not vouch.
pub const VOUCHING_BAN: Duration = Duration::days(183);

/// What a member has already done, to judge whether they may vouch for another applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoucherFacts {
    /// Vouches for applicants made in the last seven days.
    pub vouches_this_week: u32,
    /// Vouches standing now (not revoked, not expired).
    pub active_vouches: u32,
    pub banned_until: Option<DateTime<Utc>>,
    pub admitted_at: Option<DateTime<Utc>>,
}

/// Why a member may not vouch now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VouchRefusal {
    #[error("You can vouch for applicants once you have been a member for {0} days.")]
    TooNew(u32),
    #[error(
        "You have vouched for {0} applicant(s) this week, which is the community's limit. Please try again next week."
    )]
    WeeklyLimit(u32),
    #[error(
        "You already have {0} vouches standing, which is the community's limit. Withdraw one you no longer stand by first."
    )]
    ActiveLimit(u32),
    #[error("You cannot vouch for anyone until {0}, because someone you vouched for was removed.")]
    Banned(String),
}

impl VouchRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            VouchRefusal::TooNew(_) => "vouch_too_new",
            VouchRefusal::WeeklyLimit(_) => "vouch_weekly_limit",
            VouchRefusal::ActiveLimit(_) => "vouch_active_limit",
            VouchRefusal::Banned(_) => "vouch_banned",
        }
    }
}

/// Whether a member may vouch for an applicant now.
pub fn may_vouch_for_applicant(
    rule: &VouchingRule,
    facts: &VoucherFacts,
    now: DateTime<Utc>,
) -> Result<(), VouchRefusal> {
    if let Some(until) = facts.banned_until.filter(|&until| until > now) {
        return Err(VouchRefusal::Banned(until.format("%-d %B %Y").to_string()));
    }
    let standing = Duration::days(i64::from(rule.standing_days));
    if facts.admitted_at.is_none_or(|admitted| admitted + standing > now) {
        return Err(VouchRefusal::TooNew(rule.standing_days));
    }
    if facts.vouches_this_week >= rule.weekly_vouches {
        return Err(VouchRefusal::WeeklyLimit(facts.vouches_this_week));
    }
    if facts.active_vouches >= rule.active_vouches {
        return Err(VouchRefusal::ActiveLimit(facts.active_vouches));
    }
    Ok(())
}

/// What an invitation link is good for now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationState {
    Usable,
    Used,
    Expired,
    Revoked,
}

/// The stored facts of an invitation.
#[derive(Debug, Clone, Copy)]
pub struct InvitationFacts {
    pub expires_at: DateTime<Utc>,
    pub used: bool,
    pub revoked: bool,
}

pub fn invitation_state(invitation: InvitationFacts, now: DateTime<Utc>) -> InvitationState {
    if invitation.revoked {
        InvitationState::Revoked
    } else if invitation.used {
        InvitationState::Used
    } else if now >= invitation.expires_at {
        InvitationState::Expired
    } else {
        InvitationState::Usable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NeedsVouches(u32);
    impl AdmissionRule for NeedsVouches {
        fn may_approve(&self, facts: &AdmissionFacts) -> Result<(), AdmissionError> {
            if facts.vouches >= self.0 {
                Ok(())
            } else {
                Err(AdmissionError::NotReady(format!("needs {} vouches", self.0)))
            }
        }
    }

    #[test]
    fn a_waiting_application_moves_once() {
        use AdmissionEvent::*;
        use ApplicationStatus::*;
        let facts = AdmissionFacts::default();
        for (event, expected) in [(Approve, Approved), (Decline, Declined), (Withdraw, Withdrawn)] {
            let status = next_status(Waiting, event, &StewardApproval, &facts).unwrap();
            assert_eq!(status, expected);
            for again in [Approve, Decline, Withdraw] {
                assert_eq!(
                    next_status(status, again, &StewardApproval, &facts),
                    Err(AdmissionError::AlreadyDecided(status))
                );
            }
        }
    }

    #[test]
    fn another_rule_plugs_in() {
        let rule = NeedsVouches(2);
        let one = AdmissionFacts { vouches: 1 };
        let two = AdmissionFacts { vouches: 2 };
        assert_eq!(
            next_status(ApplicationStatus::Waiting, AdmissionEvent::Approve, &rule, &one).unwrap_err().code(),
            "application_not_ready"
        );
        assert_eq!(
            next_status(ApplicationStatus::Waiting, AdmissionEvent::Approve, &rule, &two),
            Ok(ApplicationStatus::Approved)
        );
        // Declining never waits for vouches.
        assert_eq!(
            next_status(ApplicationStatus::Waiting, AdmissionEvent::Decline, &rule, &one),
            Ok(ApplicationStatus::Declined)
        );
    }

    fn day(n: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + n * 86_400, 0).unwrap()
    }

    fn vouch(n: u128, made: i64, admitted: Option<i64>, in_person: bool) -> VouchFact {
        VouchFact {
            voucher: MemberId::from_uuid(uuid::Uuid::from_u128(n)),
            voucher_admitted_at: admitted.map(day),
            made_at: day(made),
            revoked_at: None,
            met_in_person: in_person,
        }
    }

    #[test]
    fn two_vouches_one_in_person_admit() {
        let rule = VouchingRule::default();
        let applied = day(0);
        let a = vouch(1, 3, Some(-100), false);
        let b = vouch(2, 5, Some(-40), true);
        let admitted = admission_by_vouches(&rule, applied, &[a, b], day(10)).unwrap();
        assert_eq!(admitted.at, day(5));
        assert_eq!(admitted.vouchers, vec![a.voucher, b.voucher]);
        // Not before the second vouch, and not if nobody met them.
        assert_eq!(admission_by_vouches(&rule, applied, &[a, b], day(4)), None);
        let b_remote = VouchFact { met_in_person: false, ..b };
        assert_eq!(admission_by_vouches(&rule, applied, &[a, b_remote], day(10)), None);
        // A voucher of too little standing does not count.
        let b_new = VouchFact { voucher_admitted_at: Some(day(-10)), ..b };
        assert_eq!(admission_by_vouches(&rule, applied, &[a, b_new], day(10)), None);
        // Nor a vouch after the window, nor one withdrawn before the second arrived.
        let b_late = vouch(2, 61, Some(-40), true);
        assert_eq!(admission_by_vouches(&rule, applied, &[a, b_late], day(70)), None);
        let a_revoked = VouchFact { revoked_at: Some(day(4)), ..a };
        assert_eq!(admission_by_vouches(&rule, applied, &[a_revoked, b], day(10)), None);
        // The same member twice is one vouch.
        let a_again = VouchFact { made_at: day(6), met_in_person: true, ..a };
        assert_eq!(admission_by_vouches(&rule, applied, &[a, a_again], day(10)), None);
    }

    #[test]
    fn whichever_comes_first_decides() {
        let rule = VouchingRule::default();
        let vouches = [vouch(1, 3, Some(-100), true), vouch(2, 5, Some(-100), true)];
        let declined = StewardDecision { status: ApplicationStatus::Declined, at: day(4) };
        assert_eq!(
            application_outcome(&rule, day(0), Some(declined), &vouches, day(10)),
            (ApplicationStatus::Declined, Some(day(4)))
        );
        let late = StewardDecision { at: day(6), ..declined };
        assert_eq!(
            application_outcome(&rule, day(0), Some(late), &vouches, day(10)),
            (ApplicationStatus::Approved, Some(day(5)))
        );
        assert_eq!(
            application_outcome(&rule, day(0), None, &vouches[..1], day(10)),
            (ApplicationStatus::Waiting, None)
        );
    }

    #[test]
    fn vouchers_are_limited() {
        let rule = VouchingRule::default();
        let fine =
            VoucherFacts { vouches_this_week: 0, active_vouches: 3, banned_until: None, admitted_at: Some(day(-31)) };
        assert_eq!(may_vouch_for_applicant(&rule, &fine, day(0)), Ok(()));
        let codes = [
            (VoucherFacts { admitted_at: Some(day(-29)), ..fine }, "vouch_too_new"),
            (VoucherFacts { vouches_this_week: 1, ..fine }, "vouch_weekly_limit"),
            (VoucherFacts { active_vouches: 30, ..fine }, "vouch_active_limit"),
            (VoucherFacts { banned_until: Some(day(1)), ..fine }, "vouch_banned"),
        ];
        for (facts, code) in codes {
            assert_eq!(may_vouch_for_applicant(&rule, &facts, day(0)).unwrap_err().code(), code);
        }
        assert_eq!(
            may_vouch_for_applicant(&rule, &VoucherFacts { banned_until: Some(day(0)), ..fine }, day(0)),
            Ok(())
        );
    }

    #[test]
    fn rules_stay_sensible() {
        assert!(VouchingRule::default().check().is_ok());
        let errors =
            VouchingRule { vouches_needed: 0, window_days: 1000, ..VouchingRule::default() }.check().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["vouches_needed", "window_days"]);
    }

    #[test]
    fn invitations_expire_after_fourteen_days() {
        let made = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let facts = InvitationFacts { expires_at: made + INVITATION_LIFETIME, used: false, revoked: false };
        assert_eq!(invitation_state(facts, made), InvitationState::Usable);
        assert_eq!(invitation_state(facts, made + Duration::days(14) - Duration::seconds(1)), InvitationState::Usable);
        assert_eq!(invitation_state(facts, made + Duration::days(14)), InvitationState::Expired);
        assert_eq!(invitation_state(InvitationFacts { used: true, ..facts }, made), InvitationState::Used);
        assert_eq!(
            invitation_state(InvitationFacts { revoked: true, used: true, ..facts }, made),
            InvitationState::Revoked
        );
    }
}
