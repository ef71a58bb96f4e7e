//! "My trust", and withdrawing or renewing a statement.

use super::service;
use crate::admission::pages::day;
use crate::error::AppResult;
use crate::identity::session::Ctx;
use crate::people::pages::{StatementView, statement_view};
use crate::state::AppState;
use crate::web::layout::Layout;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use planet_domain::trust::{StatementState, statement_state};

pub struct MadeView {
    statement: StatementView,
    subject: String,
    subject_id: String,
    expires: String,
    state: &'static str,
}

pub struct MightKnowView {
    id: String,
    name: String,
    reason: String,
    applied: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "trust/mine.html")]
struct MinePage {
    layout: Layout,
    made: Vec<MadeView>,
    near_expiry: Vec<MadeView>,
    received: Vec<StatementView>,
    anonymous: usize,
    might_know: Vec<MightKnowView>,
    my_id: String,
    picture: Picture,
}

/// The neighbourhood as an SVG: me in the middle, whom I trust on an inner ring, whom they
/// trust on an outer ring. Positions are worked out here; the template only draws.
pub struct Picture {
    nodes: Vec<Node>,
    lines: Vec<(i32, i32, i32, i32)>,
    /// The same as a table: each person I trust and whom they trust.
    rows: Vec<Row>,
}

/// (profile id, name) of someone on the picture.
type Link = (String, String);

/// Someone I trust, and whom they trust.
pub struct Row {
    who: Link,
    theirs: Vec<Link>,
}

pub struct Node {
    id: String,
    label: String,
    x: i32,
    y: i32,
    label_y: i32,
    ring: u8,
}

const CENTRE: f64 = 360.0;

fn on_ring(i: usize, n: usize, radius: f64, offset: f64) -> (i32, i32) {
    let angle = std::f64::consts::TAU * (i as f64 + offset) / n.max(1) as f64 - std::f64::consts::FRAC_PI_2;
    ((CENTRE + radius * angle.cos()).round() as i32, (CENTRE + radius * angle.sin()).round() as i32)
}

/// "Grace Mayes" → "Grace M.": names must fit between their neighbours on the ring.
fn short(name: &str) -> String {
    let mut words = name.split_whitespace();
    let first: String = words.next().unwrap_or_default().chars().take(12).collect();
    match words.last().and_then(|last| last.chars().next()) {
        Some(initial) => format!("{first} {initial}."),
        None => first,
    }
}

fn picture(hood: &service::Neighbourhood) -> Picture {
    let mut nodes = Vec::new();
    let mut lines = Vec::new();
    let centre = (CENTRE as i32, CENTRE as i32);
    let first: Vec<(i32, i32)> = (0..hood.first.len()).map(|i| on_ring(i, hood.first.len(), 170.0, 0.0)).collect();
    for ((id, name), (x, y)) in hood.first.iter().zip(&first) {
        lines.push((centre.0, centre.1, *x, *y));
        nodes.push(Node { id: id.to_string(), label: short(name), x: *x, y: *y, label_y: *y + 32, ring: 1 });
    }
    for (i, (id, name, via)) in hood.second.iter().enumerate() {
        let (x, y) = on_ring(i, hood.second.len(), 310.0, 0.5);
        if let Some((fx, fy)) = first.get(*via) {
            lines.push((*fx, *fy, x, y));
        }
        // Outer labels alternate above and below their dot, so neighbours do not overlap.
        let label_y = if i % 2 == 0 { y + 28 } else { y - 16 };
        nodes.push(Node { id: id.to_string(), label: short(name), x, y, label_y, ring: 2 });
    }
    let rows = hood
        .first
        .iter()
        .enumerate()
        .map(|(i, (id, name))| {
            let theirs = hood
                .second
                .iter()
                .filter(|(_, _, via)| *via == i)
                .map(|(id, name, _)| (id.to_string(), name.clone()))
                .collect();
            Row { who: (id.to_string(), name.clone()), theirs }
        })
        .collect();
    Picture { nodes, lines, rows }
}

fn made_view(s: &planet_store::queries::trust::Statement, now: chrono::DateTime<chrono::Utc>) -> MadeView {
    MadeView {
        statement: statement_view(s),
        subject: s.subject_name.clone(),
        subject_id: s.subject.to_string(),
        expires: day(s.expires_at),
        state: match statement_state(s.expires_at, s.revoked_at.is_some(), now) {
            StatementState::Active => "Standing",
            StatementState::NearExpiry => "Ends soon",
            StatementState::Expired => "Ended",
            StatementState::Revoked => "Withdrawn",
        },
    }
}

pub async fn mine(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let mine = service::my_trust(&state, &ctx).await?;
    let hood = service::neighbourhood(&state, &ctx).await?;
    let now = state.now();
    Ok(MinePage {
        layout: ctx.layout("My trust"),
        made: mine.made.iter().map(|s| made_view(s, now)).collect(),
        near_expiry: mine.near_expiry.iter().map(|s| made_view(s, now)).collect(),
        received: mine.received.open.iter().map(statement_view).collect(),
        anonymous: mine.received.anonymous,
        might_know: mine
            .might_know
            .into_iter()
            .map(|m| MightKnowView {
                id: m.profile.to_string(),
                name: m.name,
                reason: m.reason,
                applied: day(m.applied),
            })
            .collect(),
        my_id: ctx.member()?.id.to_string(),
        picture: picture(&hood),
    }
    .into_response())
}

pub async fn withdraw(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    service::revoke(&state, &ctx, &id).await?;
    Ok(Redirect::to("/trust?done=statement_withdrawn").into_response())
}

pub async fn renew(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    service::renew(&state, &ctx, &id).await?;
    Ok(Redirect::to("/trust?done=statement_renewed").into_response())
}
