//! Home: the social model as a picture, then what matters to me.

use crate::error::AppResult;
use crate::identity::session::Ctx;
use crate::spaces::service;
use crate::state::AppState;
use crate::web::layout::Layout;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use planet_domain::policy::Action;
use planet_domain::space::Role;
use planet_store::queries::admission;

pub struct MySpace {
    id: String,
    name: String,
    coordinator: bool,
    members: u64,
    new_members: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "home/home.html")]
struct HomePage {
    layout: Layout,
    first_name: String,
    my_spaces: Vec<MySpace>,
    waiting_applications: u64,
    request_notes: Vec<(String, String, usize)>,
    /// Groups I am invited into: (id, name).
    invitations: Vec<(String, String)>,
}

pub async fn home(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    ctx.require(Action::ViewCommunity)?;
    let member = ctx.member()?;
    let since = state.now() - Duration::days(14);
    let mine = service::my_spaces(&state, &ctx).await?;
    let ids: Vec<_> = mine.iter().map(|e| e.space.id).collect();
    let coordinated: Vec<_> = mine.iter().filter(|e| e.role == Some(Role::Coordinator)).map(|e| e.space.id).collect();
    let directory = state.directory().await?;
    let mut joined: std::collections::HashMap<_, u64> = std::collections::HashMap::new();
    for membership in directory.directory.memberships.iter().filter(|m| m.joined_at >= since && ids.contains(&m.space))
    {
        *joined.entry(membership.space).or_default() += 1;
    }
    let requests: std::collections::HashMap<_, u64> = directory
        .directory
        .waiting_requests
        .iter()
        .filter(|(space, _)| coordinated.contains(space))
        .map(|(space, n)| (*space, *n))
        .collect();
    let request_notes = mine
        .iter()
        .filter_map(|e| requests.get(&e.space.id).map(|n| (e.space.id.to_string(), e.space.name.clone(), *n as usize)))
        .collect();
    let my_spaces = mine
        .into_iter()
        .map(|entry| MySpace {
            id: entry.space.id.to_string(),
            coordinator: entry.role == Some(Role::Coordinator),
            members: entry.members,
            // Everyone who joined in the last fortnight.
            new_members: joined.get(&entry.space.id).copied().unwrap_or(0) as usize,
            name: entry.space.name,
        })
        .collect();
    let invitations =
        service::my_invitations(&state, &ctx).await?.into_iter().map(|s| (s.id.to_string(), s.name)).collect();
    let waiting_applications =
        if ctx.require(Action::DecideApplications).is_ok() { admission::count_waiting(state.db()).await? } else { 0 };
    let first_name = member.name.split_whitespace().next().unwrap_or(&member.name).to_owned();
    Ok(HomePage { layout: ctx.layout("Home"), first_name, my_spaces, waiting_applications, request_notes, invitations }
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "home/area.html")]
struct AreaPage {
    layout: Layout,
    name: &'static str,
    summary: &'static str,
    coming: &'static [&'static str],
}

struct Area {
    path: &'static str,
    name: &'static str,
    summary: &'static str,
    coming: &'static [&'static str],
}

const AREAS: &[Area] = &[
    Area {
        path: "/direction",
        name: "Direction",
        summary: "Looking ahead together: plans, events and talks with organisations outside the community.",
        coming: &["Planning discussions", "A shared calendar of events", "Plans linked to documents and polls"],
    },
    Area {
        path: "/peacemaking",
        name: "Peacemaking",
        summary: "Keeping trust healthy. When people disagree, the peacemakers help them find a way forward.",
        coming: &[
            "Ask the peacemakers for help, in confidence",
            "Resources on talking through a conflict",
            "The peacemakers' group",
        ],
    },
];

pub async fn area(ctx: Ctx, uri: Uri) -> AppResult<Response> {
    ctx.require(Action::ViewCommunity)?;
    let area = AREAS.iter().find(|a| a.path == uri.path()).ok_or_else(crate::error::AppError::not_found)?;
    Ok(AreaPage { layout: ctx.layout(area.name), name: area.name, summary: area.summary, coming: area.coming }
        .into_response())
}

pub const AREA_PATHS: [&str; 2] = ["/direction", "/peacemaking"];
