//! The search page: a box, topics whose titles match, and messages with the words marked.

use super::service;
use crate::error::AppResult;
use crate::identity::session::Ctx;
use crate::state::AppState;
use crate::talk::pages::when;
use crate::web::layout::Layout;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// How much of a message a result shows around the first word found.
const EXCERPT_CHARS: usize = 240;

/// A piece of an excerpt, and whether it is a word searched for (shown marked).
pub struct Piece {
    text: String,
    found: bool,
}

/// The part of `text` around the first word that starts with one of `words`, cut into pieces
/// with those words marked. Plain text in, plain text out: the template escapes it.
pub fn excerpt(text: &str, words: &[String]) -> Vec<(String, bool)> {
    let flat: Vec<char> = text.split_whitespace().collect::<Vec<_>>().join(" ").chars().collect();
    let starts = |at: usize| {
        (at == 0 || !flat[at - 1].is_alphanumeric())
            && words.iter().any(|w| {
                let mut len = 0;
                w.chars().all(|c| {
                    let same = flat.get(at + len).is_some_and(|f| f.to_lowercase().eq(c.to_lowercase()));
                    len += 1;
                    same
                })
            })
    };
    let first = (0..flat.len()).find(|at| starts(*at)).unwrap_or(0);
    let from = first.saturating_sub(EXCERPT_CHARS / 3);
    let to = (from + EXCERPT_CHARS).min(flat.len());
    let mut pieces: Vec<(String, bool)> = Vec::new();
    if from > 0 {
        pieces.push(("…".to_owned(), false));
    }
    let mut at = from;
    while at < to {
        let found = starts(at);
        let mut end = at + 1;
        while end < to && (flat[end].is_alphanumeric() == flat[at].is_alphanumeric()) {
            end += 1;
        }
        let piece: String = flat[at..end].iter().collect();
        match pieces.last_mut() {
            Some((text, false)) if !found => text.push_str(&piece),
            _ => pieces.push((piece, found)),
        }
        at = end;
    }
    if to < flat.len() {
        pieces.push(("…".to_owned(), false));
    }
    pieces
}

pub struct TopicHit {
    id: String,
    title: String,
    space: String,
    last: String,
}

pub struct MessageHit {
    topic_id: String,
    number: i32,
    title: String,
    space: String,
    author: String,
    when: String,
    pieces: Vec<Piece>,
}

#[derive(Template, WebTemplate)]
#[template(path = "talk/search.html")]
struct SearchPage {
    layout: Layout,
    q: String,
    searched: bool,
    space_id: String,
    space_name: String,
    topics: Vec<TopicHit>,
    messages: Vec<MessageHit>,
    page: u64,
    more: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SearchQuery {
    q: String,
    space: String,
    page: u64,
}

/// Where a topic is: its group, or a private conversation.
fn place_name(sight: &crate::talk::sight::Sight, topic: &planet_store::queries::talk::Topic) -> String {
    if topic.private { "Private conversation".to_owned() } else { sight.name(topic.space) }
}

pub async fn search(State(state): State<AppState>, ctx: Ctx, Query(query): Query<SearchQuery>) -> AppResult<Response> {
    let results = service::search(&state, &ctx, &query.q, &query.space, query.page).await?;
    let names = &results.sight;
    let (space_id, space_name) = match &results.space {
        Some((id, name)) => (id.to_string(), name.clone()),
        None => (String::new(), String::new()),
    };
    let title =
        if query.q.trim().is_empty() { "Search conversations".to_owned() } else { format!("Search: {}", query.q) };
    Ok(SearchPage {
        layout: ctx.layout(title),
        q: query.q.clone(),
        searched: !results.words.is_empty(),
        space_id,
        space_name,
        topics: results
            .topics
            .iter()
            .map(|t| TopicHit {
                id: t.id.to_string(),
                title: t.title.clone(),
                space: place_name(names, t),
                last: when(t.last_message_at),
            })
            .collect(),
        messages: results
            .messages
            .iter()
            .map(|f| MessageHit {
                topic_id: f.topic.id.to_string(),
                number: f.message.number,
                title: f.topic.title.clone(),
                space: place_name(names, &f.topic),
                author: f.message.author_name.clone(),
                when: when(f.message.created_at),
                pieces: excerpt(&f.message.body, &results.words)
                    .into_iter()
                    .map(|(text, found)| Piece { text, found })
                    .collect(),
            })
            .collect(),
        page: query.page,
        more: results.more,
    }
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn the_words_found_are_marked_and_the_rest_kept_as_text() {
        let words = vec!["appl".to_owned(), "press".to_owned()];
        let pieces = excerpt("Who has an Apple  press? <b>apples</b> pineapple", &words);
        let marked: Vec<&str> = pieces.iter().filter(|(_, f)| *f).map(|(t, _)| t.as_str()).collect();
        assert_eq!(marked, ["Apple", "press", "apples"], "{pieces:?}");
        let all: String = pieces.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(all, "Who has an Apple press? <b>apples</b> pineapple");
    }

    #[test]
    fn a_long_message_is_cut_around_the_first_word_found() {
        let text = format!("{} needle {}", "hay ".repeat(200), "hay ".repeat(200));
        let pieces = excerpt(&text, &["needle".to_owned()]);
        assert!(pieces.first().is_some_and(|(t, _)| t.starts_with('…')));
        assert!(pieces.last().is_some_and(|(t, _)| t.ends_with('…')));
        assert!(pieces.iter().any(|(t, f)| *f && t == "needle"));
        let chars: usize = pieces.iter().map(|(t, _)| t.chars().count()).sum();
        assert!(chars <= 242);
    }
}
