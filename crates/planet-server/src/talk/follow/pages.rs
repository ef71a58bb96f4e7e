//! Pages for following and muting, and "what's new".

use super::service;
use crate::error::AppResult;
use crate::identity::session::Ctx;
use crate::state::AppState;
use crate::talk::pages::when;
use crate::web::layout::Layout;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use planet_domain::notification::{Follow, space_label};
use serde::Deserialize;

pub struct FollowChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

/// The little form on a topic or a group's conversations: how closely to follow it.
pub struct FollowForm {
    pub action: String,
    pub legend: &'static str,
    pub choices: Vec<FollowChoice>,
}

impl FollowForm {
    pub fn topic(topic: &str, level: Follow) -> Self {
        Self {
            action: format!("/topics/{topic}/follow"),
            legend: "Notifications about this conversation",
            choices: Follow::ALL
                .iter()
                .map(|l| FollowChoice { value: l.as_str(), label: l.label(), checked: *l == level })
                .collect(),
        }
    }

    pub fn space(space: &str, level: Follow) -> Self {
        Self {
            action: format!("/spaces/{space}/follow"),
            legend: "Notifications about this group's conversations",
            choices: Follow::ALL
                .iter()
                .map(|l| FollowChoice { value: l.as_str(), label: space_label(*l), checked: *l == level })
                .collect(),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LevelForm {
    level: String,
}

fn done(level: Follow, group: bool) -> &'static str {
    match level {
        Follow::Following if group => "following_group",
        Follow::Following => "following",
        Follow::Muted => "muted",
        Follow::Normal => "normal",
    }
}

pub async fn follow_topic(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<LevelForm>,
) -> AppResult<Response> {
    let (topic, level) = service::follow_topic(&state, &ctx, &id, &form.level).await?;
    Ok(Redirect::to(&format!("/topics/{}?done={}#follow-title", topic.id, done(level, false))).into_response())
}

pub async fn follow_space(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(space): Path<String>,
    Form(form): Form<LevelForm>,
) -> AppResult<Response> {
    let (space, level) = service::follow_space(&state, &ctx, &space, &form.level).await?;
    Ok(Redirect::to(&format!("/spaces/{space}/topics?done={}#follow-title", done(level, true))).into_response())
}

pub struct NewsTopic {
    id: String,
    title: String,
    author: String,
    last: String,
    unread: Option<i32>,
    following: bool,
}

pub struct NewsGroup {
    id: String,
    name: String,
    topics: Vec<NewsTopic>,
}

#[derive(Template, WebTemplate)]
#[template(path = "talk/news.html")]
struct NewsPage {
    layout: Layout,
    groups: Vec<NewsGroup>,
}

pub async fn whats_new(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let groups = service::whats_new(&state, &ctx).await?;
    Ok(NewsPage {
        layout: ctx.layout("What's new"),
        groups: groups
            .into_iter()
            .map(|g| NewsGroup {
                id: g.space.to_string(),
                name: g.name,
                topics: g
                    .topics
                    .into_iter()
                    .map(|t| NewsTopic {
                        id: t.topic.id.to_string(),
                        title: t.topic.title,
                        author: t.author_name,
                        last: when(t.topic.last_message_at),
                        unread: t.unread,
                        following: t.level == Follow::Following,
                    })
                    .collect(),
            })
            .collect(),
    }
    .into_response())
}
