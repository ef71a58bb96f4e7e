//! Trust use cases: vouch, trust, "regular customer"; withdraw and renew; trust paths; and
//! what "My trust" shows.

use crate::admission::service::admit_if_vouched;
use crate::error::{AppError, AppResult, FieldError};
use crate::identity::session::Ctx;
use crate::state::AppState;
use planet_domain::admission::{VoucherFacts, may_vouch_for_applicant};
use planet_domain::policy::Action;
use planet_domain::profile::ProfileKind;
use planet_domain::space::AccountStatus;
use planet_domain::text::TrustNote;
use planet_domain::trust::graph::{EdgeFacts, ShownStep};
use planet_domain::trust::{
    STATEMENT_LIFETIME, StatementKind, StatementState, TrustVisibility, check_statement, statement_state,
};
use planet_domain::{MemberId, ProfileId, StatementId};
use planet_store::StoreError;
use planet_store::dialect::{self, Lockable};
use planet_store::queries::accounts;
use planet_store::queries::admission as applications;
use planet_store::queries::people::{self, Profile, person_profile};
use planet_store::queries::trust::{self, NewStatement, Statement};
use std::collections::HashMap;

/// Who a directory entry is, as far as trust goes.
pub struct Subject {
    pub profile: Profile,
    /// For a person: their account's standing.
    pub status: Option<AccountStatus>,
}

impl Subject {
    pub fn is_applicant(&self) -> bool {
        self.status == Some(AccountStatus::Applicant)
    }
}

/// The entry behind an id, if the member may see it: people in good standing, applicants
/// (so members can vouch for those they know), and businesses and organisations.
pub async fn subject(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<Subject> {
    ctx.require(Action::ViewDirectory)?;
    let id: ProfileId = id.parse().map_err(|_| AppError::not_found())?;
    let profile = people::profile(state.db(), id).await?.ok_or_else(AppError::not_found)?;
    let status = match profile.member {
        Some(member) => Some(accounts::member(state.db(), member).await?.ok_or_else(AppError::not_found)?.status),
        None => None,
    };
    match status {
        None | Some(AccountStatus::Member) => {}
        Some(AccountStatus::Applicant) => ctx.require(Action::ViewApplicants)?,
        Some(_) => return Err(AppError::not_found()),
    }
    Ok(Subject { profile, status })
}

pub struct StatementInput<'a> {
    pub kind: &'a str,
    pub visibility: &'a str,
    pub note: &'a str,
    pub met_in_person: bool,
}

/// Make a statement about an entry. A vouch for an applicant may admit them, in the same
/// transaction. Returns whether someone was admitted.
pub async fn make_statement(
    state: &AppState,
    ctx: &Ctx,
    subject_id: &str,
    input: StatementInput<'_>,
) -> AppResult<bool> {
    ctx.require(Action::MakeStatements)?;
    let author = ctx.member()?.clone();
    let subject = subject(state, ctx, subject_id).await?;
    let mut errors = Vec::new();
    let kind = StatementKind::parse(input.kind);
    if kind.is_none() {
        errors.push(FieldError::new("kind", "kind_required", "Choose what you want to say"));
    }
    let visibility = TrustVisibility::parse(input.visibility);
    if visibility.is_none() {
        errors.push(FieldError::new("visibility", "visibility_required", "Choose who can see it"));
    }
    let note = TrustNote::parse(input.note).map_err(|e| errors.push(FieldError::from_input("note", e))).ok();
    let (Some(kind), Some(visibility), Some(note)) = (kind, visibility, note) else {
        return Err(AppError::Invalid(errors));
    };
    let managed = people::is_managed_by(state.db(), &subject.profile, author.id).await?;
    check_statement(kind, subject.profile.kind, managed)
        .map_err(|e| AppError::invalid("kind", e.code(), e.to_string()))?;
    if subject.is_applicant() && kind != StatementKind::Vouch {
        return Err(AppError::invalid(
            "kind",
            "applicant_only_vouch",
            "While someone is applying, you can only vouch for them. Trust can follow once they are a member.",
        ));
    }
    let now = state.now();
    let expires_at = now + STATEMENT_LIFETIME;
    let applicant = subject.profile.member.filter(|_| subject.is_applicant());
    let txn = state.store().begin().await?;
    // One vouch at a time per voucher and per applicant (limits and admission see each other).
    dialect::lock(&txn, Lockable::Member(author.id.uuid())).await?;
    if let Some(applicant) = applicant {
        dialect::lock(&txn, Lockable::ApplicationOf(applicant.uuid())).await?;
    }
    let created = trust::create_statement(
        &txn,
        NewStatement {
            id: StatementId::new_v7(),
            author: author.id,
            subject: subject.profile.id,
            kind,
            visibility,
            note: note.as_str(),
            met_in_person: kind == StatementKind::Vouch && input.met_in_person,
            now,
            expires_at,
        },
    )
    .await;
    match created {
        Err(StoreError::Conflict(_)) => {
            return Err(AppError::invalid(
                "kind",
                "statement_exists",
                format!(
                    "You have already said this about {}. You can renew or withdraw it on \u{201c}My trust\u{201d}.",
                    subject.profile.name
                ),
            ));
        }
        other => other?,
    }
    if applicant.is_some() {
        // Counted after writing, inside the transaction, so two vouches at once cannot both
        // slip under the limit; the new vouch itself is not held against it.
        let rule = trust::admission_rule(&txn).await?;
        let (recent, active) = trust::vouch_counts(&txn, author.id, now - chrono::Duration::days(7), now).await?;
        let facts = VoucherFacts {
            vouches_this_week: u32::try_from(recent.saturating_sub(1)).unwrap_or(u32::MAX),
            active_vouches: u32::try_from(active.saturating_sub(1)).unwrap_or(u32::MAX),
            banned_until: trust::banned_until(&txn, author.id, now).await?,
            admitted_at: author.admitted_at,
        };
        // Refused: the transaction is dropped, so the vouch is not kept.
        may_vouch_for_applicant(&rule, &facts, now).map_err(|e| AppError::refused(e.code(), e.to_string()))?;
    }
    let admitted = match subject.profile.member {
        Some(applicant) if subject.is_applicant() => admit_if_vouched(state, &txn, applicant, now).await?,
        _ => false,
    };
    state.commit(txn).await?;
    if admitted {
        state.wake_mailer();
        state.trust_stale();
    } else {
        let (from, to) = (person_profile(author.id), subject.profile.id);
        state.update_trust(|graph| {
            graph.insert(from, to, EdgeFacts::new(kind, visibility, now, expires_at));
        });
    }
    Ok(admitted)
}

async fn own_statement(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<Statement> {
    ctx.require(Action::MakeStatements)?;
    let id: StatementId = id.parse().map_err(|_| AppError::not_found())?;
    let statement = trust::statement(state.db(), id).await?.ok_or_else(AppError::not_found)?;
    if statement.author != ctx.member()?.id || statement.revoked_at.is_some() {
        return Err(AppError::not_found());
    }
    Ok(statement)
}

/// Withdraw one's own statement.
pub async fn revoke(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<Statement> {
    let statement = own_statement(state, ctx, id).await?;
    if !trust::revoke_statement(state.db(), statement.id, statement.author, state.now()).await? {
        return Err(AppError::not_found());
    }
    state.changed();
    let (from, to, kind) = (person_profile(statement.author), statement.subject, statement.kind);
    state.update_trust(|graph| {
        graph.remove(from, to, kind);
    });
    Ok(statement)
}

/// Renew one's own statement for another 24 months from today.
pub async fn renew(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<Statement> {
    let statement = own_statement(state, ctx, id).await?;
    let now = state.now();
    let expires_at = now + STATEMENT_LIFETIME;
    if !trust::renew_statement(state.db(), statement.id, statement.author, now, expires_at).await? {
        return Err(AppError::not_found());
    }
    state.changed();
    let (from, to) = (person_profile(statement.author), statement.subject);
    let facts = EdgeFacts::new(statement.kind, statement.visibility, statement.made_at, expires_at);
    state.update_trust(|graph| {
        graph.insert(from, to, facts);
    });
    Ok(statement)
}

/// One step of a trust path, ready to show: a name (or "someone"), a link, a kind and year.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PathStep {
    /// The entry's id; `None` where the step must stay anonymous.
    pub profile: Option<String>,
    pub name: String,
    pub kind: Option<&'static str>,
    pub year: Option<i32>,
}

/// "How am I connected?"
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct ConnectionsView {
    pub routes: Vec<Vec<PathStep>>,
    /// How many different shortest routes there are.
    pub shortest_count: u64,
}

pub async fn connections(state: &AppState, ctx: &Ctx, to: ProfileId) -> AppResult<ConnectionsView> {
    ctx.require(Action::ViewDirectory)?;
    let me = person_profile(ctx.member()?.id);
    let graph = state.trust_graph().await?;
    let found = graph.connections(me, to, state.now());
    let shown: Vec<Vec<ShownStep<ProfileId>>> = found.routes.iter().map(|route| route.shown()).collect();
    let ids: Vec<ProfileId> = shown.iter().flatten().filter_map(|step| step.to).collect();
    let names = people::names(state.db(), &ids).await?;
    let routes = shown
        .into_iter()
        .map(|route| {
            route
                .into_iter()
                .map(|step| PathStep {
                    profile: step.to.map(|id| id.to_string()),
                    name: step
                        .to
                        .and_then(|id| names.get(&id).map(|(name, _)| name.clone()))
                        .unwrap_or_else(|| "someone".to_owned()),
                    kind: step.kind.map(StatementKind::word),
                    year: step.year,
                })
                .collect()
        })
        .collect();
    Ok(ConnectionsView { routes, shortest_count: found.shortest_count })
}

/// What a viewer may see of the statements about an entry: open ones by name, `paths` ones
/// only as a count, private ones only if they made them.
pub struct StatementsAbout {
    pub open: Vec<Statement>,
    pub anonymous: usize,
    pub mine: Vec<Statement>,
}

pub async fn statements_about(state: &AppState, ctx: &Ctx, subject: ProfileId) -> AppResult<StatementsAbout> {
    ctx.require(Action::ViewDirectory)?;
    let me = ctx.member()?.id;
    let now = state.now();
    let mut about = StatementsAbout { open: Vec::new(), anonymous: 0, mine: Vec::new() };
    for statement in trust::statements_about(state.db(), subject).await? {
        if statement.author == me {
            about.mine.push(statement);
        } else if statement_state(statement.expires_at, false, now) == StatementState::Expired {
            continue;
        } else {
            match statement.visibility {
                TrustVisibility::Members => about.open.push(statement),
                TrustVisibility::Paths => about.anonymous += 1,
                TrustVisibility::Private => {}
            }
        }
    }
    Ok(about)
}

/// An applicant a member might know, and why.
pub struct MightKnow {
    pub profile: ProfileId,
    pub name: String,
    pub reason: String,
    pub applied: chrono::DateTime<chrono::Utc>,
}

/// "My trust": whom I trust, who trusts me, what needs renewing, applicants I might know.
pub struct MyTrust {
    pub made: Vec<Statement>,
    pub received: StatementsAbout,
    pub near_expiry: Vec<Statement>,
    pub might_know: Vec<MightKnow>,
}

pub async fn my_trust(state: &AppState, ctx: &Ctx) -> AppResult<MyTrust> {
    ctx.require(Action::MakeStatements)?;
    let me = ctx.member()?;
    let now = state.now();
    let made = trust::statements_by(state.db(), me.id).await?;
    let near_expiry = made
        .iter()
        .filter(|s| {
            matches!(statement_state(s.expires_at, false, now), StatementState::NearExpiry | StatementState::Expired)
        })
        .cloned()
        .collect();
    let received = statements_about(state, ctx, person_profile(me.id)).await?;
    let might_know = applicants_i_might_know(state, me.id, &made).await?;
    Ok(MyTrust { made, received, near_expiry, might_know })
}

/// Waiting applicants who were invited by someone I have vouched for or trust, who live in my
/// area, or whom someone I trust has already vouched for.
async fn applicants_i_might_know(state: &AppState, me: MemberId, made: &[Statement]) -> AppResult<Vec<MightKnow>> {
    let waiting =
        applications::applications_with_status(state.db(), planet_domain::admission::ApplicationStatus::Waiting, 200)
            .await?;
    if waiting.is_empty() {
        return Ok(Vec::new());
    }
    let trusted: HashMap<ProfileId, &str> = made
        .iter()
        .filter(|s| s.kind != StatementKind::Customer)
        .map(|s| (s.subject, s.subject_name.as_str()))
        .collect();
    let my_area = people::profile(state.db(), person_profile(me)).await?.map(|p| p.area).unwrap_or_default();
    let ids: Vec<ProfileId> = waiting.iter().map(|a| person_profile(a.member)).collect();
    let areas: HashMap<ProfileId, String> =
        people::profiles_by_ids(state.db(), &ids).await?.into_iter().map(|p| (p.id, p.area)).collect();
    let mut found = Vec::new();
    for application in waiting {
        let profile = person_profile(application.member);
        let vouchers = trust::vouches_for(state.db(), profile).await?;
        if vouchers.iter().any(|v| v.fact.voucher == me && v.fact.revoked_at.is_none()) {
            continue;
        }
        // Only vouches anyone may see, and still standing, can be given as a reason.
        let open: Vec<_> = vouchers
            .iter()
            .filter(|v| v.visibility == TrustVisibility::Members && v.fact.revoked_at.is_none())
            .collect();
        let reason = if application.inviter == me {
            Some("You invited them".to_owned())
        } else if let Some(name) = trusted.get(&person_profile(application.inviter)) {
            Some(format!("Invited by {name}, whom you know"))
        } else if let Some(v) = open.iter().find(|v| trusted.contains_key(&person_profile(v.fact.voucher))) {
            Some(format!("{}, whom you know, has vouched for them", v.voucher_name))
        } else {
            areas
                .get(&profile)
                .filter(|area| !area.is_empty() && **area == my_area)
                .map(|area| format!("They live in {area}, like you"))
        };
        if let Some(reason) = reason {
            found.push(MightKnow {
                profile,
                name: application.applicant_name,
                reason,
                applied: application.created_at,
            });
        }
    }
    Ok(found)
}

/// The vouches for an applicant as the applicant (or a steward) may see them: open ones by
/// name, the others only as a number, and how many count under the rule now.
pub struct VouchSummary {
    /// (voucher, met in person)
    pub named: Vec<(String, bool)>,
    pub anonymous: usize,
    pub counting: usize,
}

pub async fn vouches_for_applicant(
    state: &AppState,
    ctx: &Ctx,
    application: &planet_store::queries::admission::Application,
) -> AppResult<VouchSummary> {
    if ctx.member()?.id == application.member {
        ctx.require(Action::ViewOwnApplication)?;
    } else {
        ctx.require(Action::DecideApplications)?;
    }
    let rule = trust::admission_rule(state.db()).await?;
    let now = state.now();
    let mut summary = VouchSummary { named: Vec::new(), anonymous: 0, counting: 0 };
    let mut counted = std::collections::HashSet::new();
    for vouch in trust::vouches_for(state.db(), person_profile(application.member)).await? {
        if vouch.fact.revoked_at.is_some() {
            continue;
        }
        if vouch.fact.counts_at(&rule, application.created_at, now) && counted.insert(vouch.fact.voucher) {
            summary.counting += 1;
        }
        if vouch.visibility == TrustVisibility::Members {
            summary.named.push((vouch.voucher_name, vouch.fact.met_in_person));
        } else {
            summary.anonymous += 1;
        }
    }
    Ok(summary)
}

/// Whether an entry is a person (vouching makes sense) — for forms.
pub fn kinds_for(kind: ProfileKind, applicant: bool) -> Vec<StatementKind> {
    StatementKind::ALL
        .iter()
        .copied()
        .filter(|k| check_statement(*k, kind, false).is_ok())
        .filter(|k| !applicant || *k == StatementKind::Vouch)
        .collect()
}

/// My neighbourhood in the network: whom I trust, and whom they trust openly.
pub struct Neighbourhood {
    /// Entries I have made a (usable) statement about.
    pub first: Vec<(ProfileId, String)>,
    /// Entries they have made an open statement about: (entry, name, index into `first`).
    pub second: Vec<(ProfileId, String, usize)>,
}

/// At most this many people in each ring of the picture.
const FIRST_RING: usize = 12;
const SECOND_RING: usize = 24;

pub async fn neighbourhood(state: &AppState, ctx: &Ctx) -> AppResult<Neighbourhood> {
    ctx.require(Action::MakeStatements)?;
    let me = person_profile(ctx.member()?.id);
    let now = state.now();
    let graph = state.trust_graph().await?;
    let first: Vec<ProfileId> = graph.made_by(me, now).into_iter().map(|(id, _)| id).take(FIRST_RING).collect();
    let mut second: Vec<(ProfileId, usize)> = Vec::new();
    for (i, near) in first.iter().enumerate() {
        // Only statements anyone may see: `paths` ones would be revealed by a line.
        for (far, facts) in graph.made_by(*near, now) {
            let taken = far == me || first.contains(&far) || second.iter().any(|(id, _)| *id == far);
            if facts.visibility == TrustVisibility::Members && !taken && second.len() < SECOND_RING {
                second.push((far, i));
            }
        }
    }
    let ids: Vec<ProfileId> = first.iter().copied().chain(second.iter().map(|(id, _)| *id)).collect();
    let names = people::names(state.db(), &ids).await?;
    let name = |id: &ProfileId| names.get(id).map(|(n, _)| n.clone()).unwrap_or_default();
    Ok(Neighbourhood {
        first: first.iter().map(|id| (*id, name(id))).collect(),
        second: second.iter().map(|(id, via)| (*id, name(id), *via)).collect(),
    })
}
