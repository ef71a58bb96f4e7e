//! Opening a poll: "What would you like to ask?" (each kind in a sentence), then that kind's
//! form, shown again with its errors until it is right.

use super::manage::{self, NewPollForm};
use crate::error::{AppError, AppResult};
use crate::identity::session::Ctx;
use crate::state::AppState;
use crate::web::forms::FormErrors;
use crate::web::layout::Layout;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use planet_domain::poll::count::PassRule;
use planet_domain::poll::{Audience, PollKind, RankedMethod, ResultsShown};
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    kind: String,
    topic: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "decide/choose.html")]
struct ChoosePage {
    layout: Layout,
    space_id: String,
    space_name: String,
    topic: String,
    /// (kind, label, help)
    kinds: Vec<(&'static str, &'static str, &'static str)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "decide/new.html")]
struct NewPollPage {
    layout: Layout,
    space_id: String,
    space_name: String,
    community_wide: bool,
    secret_space: bool,
    kind: &'static str,
    kind_label: &'static str,
    kind_help: &'static str,
    errors: FormErrors,
    form: NewPollForm,
    times: Vec<(usize, String)>,
    /// (value, label)
    seen_choices: Vec<(&'static str, &'static str)>,
    audiences: Vec<(&'static str, &'static str)>,
    results_choices: Vec<(&'static str, &'static str)>,
    pass_rules: Vec<(&'static str, &'static str)>,
    methods: Vec<(&'static str, &'static str)>,
    day_choices: Vec<(u32, String)>,
}

pub(crate) const DAY_CHOICES: [u32; 10] = [1, 2, 3, 5, 7, 10, 14, 21, 28, 60];

pub(crate) fn days_words(days: u32) -> String {
    match days {
        1 => "1 day".to_owned(),
        7 => "1 week".to_owned(),
        14 => "2 weeks".to_owned(),
        21 => "3 weeks".to_owned(),
        28 => "4 weeks".to_owned(),
        n => format!("{n} days"),
    }
}

fn words<T: Copy>(
    all: &[T],
    value: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|v| (value(*v), label(*v))).collect()
}

async fn new_poll_page(
    state: &AppState,
    ctx: &Ctx,
    space: &str,
    kind: PollKind,
    form: NewPollForm,
    errors: FormErrors,
) -> AppResult<NewPollPage> {
    let access = crate::access::require_space(
        state.db(),
        ctx,
        planet_domain::policy::Action::StartPoll,
        crate::access::parse_space_id(space)?,
    )
    .await?;
    let secret_space = access.chain.iter().any(|s| s.visibility == planet_domain::space::Visibility::Secret);
    let community_wide = access.space().visibility == planet_domain::space::Visibility::Community && !secret_space;
    let times = form.times().iter().enumerate().map(|(i, t)| (i + 1, (*t).to_owned())).collect();
    Ok(NewPollPage {
        layout: ctx.layout(format!("New poll: {}", kind.label())),
        space_id: access.space().id.to_string(),
        space_name: access.space().name.clone(),
        community_wide,
        secret_space,
        kind: kind.as_str(),
        kind_label: kind.label(),
        kind_help: kind.help(),
        errors,
        form,
        times,
        seen_choices: if secret_space {
            vec![(Audience::Space.as_str(), "Members of the group")]
        } else {
            vec![
                (Audience::Space.as_str(), "Whoever can see inside the group"),
                (Audience::Community.as_str(), Audience::Community.label()),
            ]
        },
        audiences: words(Audience::ALL, Audience::as_str, Audience::label),
        results_choices: words(ResultsShown::ALL, ResultsShown::as_str, ResultsShown::label),
        pass_rules: words(PassRule::ALL, PassRule::as_str, PassRule::label),
        methods: words(RankedMethod::ALL, RankedMethod::as_str, RankedMethod::label),
        day_choices: DAY_CHOICES.iter().map(|d| (*d, days_words(*d))).collect(),
    })
}

pub async fn new_poll(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let Some(kind) = PollKind::parse(&q.kind) else {
        let access = crate::access::require_space(
            state.db(),
            &ctx,
            planet_domain::policy::Action::StartPoll,
            crate::access::parse_space_id(&id)?,
        )
        .await?;
        return Ok(ChoosePage {
            layout: ctx.layout("Start a poll"),
            space_id: access.space().id.to_string(),
            space_name: access.space().name.clone(),
            topic: q.topic,
            kinds: PollKind::ALL.iter().map(|k| (k.as_str(), k.label(), k.help())).collect(),
        }
        .into_response());
    };
    let form = NewPollForm { topic: q.topic, ..NewPollForm::defaults(kind) };
    Ok(new_poll_page(&state, &ctx, &id, kind, form, FormErrors::none()).await?.into_response())
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(form): Form<NewPollForm>,
) -> AppResult<Response> {
    match manage::start(&state, &ctx, &id, &form).await {
        Ok((poll, _)) => Ok(Redirect::to(&format!("/polls/{poll}?done=opened")).into_response()),
        Err(err) => {
            let kind = PollKind::parse(&form.kind).unwrap_or(PollKind::Proposal);
            match err {
                AppError::Invalid(fields) => {
                    let page = new_poll_page(&state, &ctx, &id, kind, form, fields.into()).await?;
                    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
                }
                other => Err(other),
            }
        }
    }
}
