//! Pages for private conversations: the member's list, writing to someone, and the people in a
//! conversation (add someone, leave). Reading and replying use the topic page.

use super::service::{self, as_field};
use crate::error::{AppError, AppResult};
use crate::identity::session::Ctx;
use crate::state::AppState;
use crate::talk::pages::{PageQuery, when};
use crate::web::forms::FormErrors;
use crate::web::layout::Layout;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

pub struct ConversationRow {
    id: String,
    title: String,
    with: String,
    last: String,
    messages: i32,
    unread: Option<i32>,
}

#[derive(Template, WebTemplate)]
#[template(path = "talk/conversations.html")]
struct ListPage {
    layout: Layout,
    items: Vec<ConversationRow>,
    page: u64,
    more: bool,
}

/// "Ann Baker, Bob Smith and Carol Jones".
fn names(names: &[String]) -> String {
    match names {
        [] => "nobody else (the others have left)".to_owned(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

pub async fn list(State(state): State<AppState>, ctx: Ctx, Query(query): Query<PageQuery>) -> AppResult<Response> {
    let list = service::list(&state, &ctx, query.page).await?;
    Ok(ListPage {
        layout: ctx.layout("Private messages"),
        items: list
            .items
            .iter()
            .map(|c| ConversationRow {
                id: c.summary.topic.id.to_string(),
                title: c.summary.topic.title.clone(),
                with: names(&c.others),
                last: when(c.summary.topic.last_message_at),
                messages: c.summary.topic.last_number,
                unread: c.summary.unread,
            })
            .collect(),
        page: query.page,
        more: (query.page + 1) * service::PAGE_SIZE < list.total,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "talk/conversation_new.html")]
struct NewPage {
    layout: Layout,
    /// The people it goes to (id, name).
    to: Vec<(String, String)>,
    /// What was typed to find someone, and whom it found (id, name).
    q: String,
    found: Vec<(String, String)>,
    searched: bool,
    errors: FormErrors,
    subject: String,
    body: String,
}

impl NewPage {
    /// The link that adds someone to the "To" line, keeping the others.
    fn with_link(&self, extra: &str) -> String {
        let mut ids: Vec<&str> = self.to.iter().map(|(id, _)| id.as_str()).collect();
        ids.push(extra);
        format!("/conversations/new?{}", ids.iter().map(|id| format!("with={id}")).collect::<Vec<_>>().join("&"))
    }

    /// The link that takes someone off the "To" line.
    fn without_link(&self, gone: &str) -> String {
        let ids: Vec<String> =
            self.to.iter().filter(|(id, _)| id != gone).map(|(id, _)| format!("with={id}")).collect();
        format!("/conversations/new?{}", ids.join("&"))
    }
}

/// The fields of the form, in order; `with` may come many times.
fn fields(pairs: &[(String, String)]) -> (Vec<String>, String, String, String) {
    let mut with = Vec::new();
    let (mut q, mut subject, mut body) = (String::new(), String::new(), String::new());
    for (key, value) in pairs {
        match key.as_str() {
            "with" => with.push(value.clone()),
            "q" => q = value.clone(),
            "subject" => subject = value.clone(),
            "body" => body = value.clone(),
            _ => {}
        }
    }
    (with, q, subject, body)
}

async fn new_page(
    state: &AppState,
    ctx: &Ctx,
    with: &[String],
    q: &str,
    errors: FormErrors,
    subject: String,
    body: String,
) -> AppResult<NewPage> {
    // Someone one cannot write to is left off the line, with the reason shown.
    let (to, errors) = match service::recipients(state, ctx, with).await.map_err(as_field) {
        Ok(people) => (people, errors),
        Err(AppError::Invalid(fields)) => (Vec::new(), fields.into()),
        Err(other) => return Err(other),
    };
    let on_the_line: Vec<_> = to.iter().map(|m| m.id).collect();
    let found = service::find_people(state, ctx, q, &on_the_line).await?;
    let to: Vec<(String, String)> = to.into_iter().map(|m| (m.id.to_string(), m.name)).collect();
    let found: Vec<(String, String)> = found.into_iter().map(|(id, name)| (id.to_string(), name)).collect();
    let q: String = q.chars().take(100).collect();
    Ok(NewPage {
        layout: ctx.layout("Write a private message"),
        to,
        searched: !q.trim().is_empty(),
        q,
        found,
        errors,
        subject,
        body,
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(pairs): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (with, q, subject, body) = fields(&pairs);
    Ok(new_page(&state, &ctx, &with, &q, FormErrors::none(), subject, body).await?.into_response())
}

pub async fn start(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (with, _, subject, body) = fields(&pairs);
    match service::start(&state, &ctx, &with, &subject, &body).await.map_err(as_field) {
        Ok(posted) => {
            Ok(Redirect::to(&format!("/topics/{}?done=conversation_started#m{}", posted.topic, posted.number))
                .into_response())
        }
        Err(AppError::Invalid(fields)) => {
            let page = new_page(&state, &ctx, &with, "", fields.into(), subject, body).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(err) => Err(err),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "talk/conversation_people.html")]
struct PeoplePage {
    layout: Layout,
    topic_id: String,
    title: String,
    /// (id, name, joined, whether it is the viewer)
    people: Vec<(String, String, String, bool)>,
    q: String,
    searched: bool,
    found: Vec<(String, String)>,
    can_add: bool,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PeopleQuery {
    q: String,
}

async fn people_page(state: &AppState, ctx: &Ctx, id: &str, q: &str, errors: FormErrors) -> AppResult<PeoplePage> {
    let people = service::people(state, ctx, id, q).await?;
    let me = ctx.member()?.id;
    let present = people.place.conversation.iter().flat_map(|c| c.present());
    Ok(PeoplePage {
        layout: ctx.layout(format!("People in “{}”", people.topic.title)),
        topic_id: people.topic.id.to_string(),
        title: people.topic.title.clone(),
        people: present.map(|p| (p.member.to_string(), p.name.clone(), when(p.joined_at), p.member == me)).collect(),
        searched: !q.trim().is_empty(),
        q: q.chars().take(100).collect(),
        found: people.candidates.iter().map(|(id, name)| (id.to_string(), name.clone())).collect(),
        can_add: people.place.allows(ctx, planet_domain::policy::Action::AddToConversation, false, false),
        errors,
    })
}

pub async fn people(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(query): Query<PeopleQuery>,
) -> AppResult<Response> {
    Ok(people_page(&state, &ctx, &id, &query.q, FormErrors::none()).await?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AddForm {
    member: String,
}

pub async fn add(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<AddForm>,
) -> AppResult<Response> {
    match service::add(&state, &ctx, &id, &form.member).await.map_err(as_field) {
        Ok((topic, _)) => {
            Ok(Redirect::to(&format!("/conversations/{}/people?done=person_added", topic.id)).into_response())
        }
        Err(AppError::Invalid(fields)) => {
            let page = people_page(&state, &ctx, &id, "", fields.into()).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(err) => Err(err),
    }
}

pub async fn leave(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    service::leave(&state, &ctx, &id).await?;
    Ok(Redirect::to("/conversations?done=conversation_left").into_response())
}
