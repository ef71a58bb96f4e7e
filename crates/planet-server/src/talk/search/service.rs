//! Search across talk. Only spaces the member may see, and the private conversations they take
//! part in, are searched (`sight`, decided by the one authorization path); only published
//! messages are in the index.

use crate::access::parse_space_id;
use crate::error::{AppError, AppResult};
use crate::identity::session::Ctx;
use crate::state::AppState;
use crate::talk::sight::{Sight, sight};
use planet_domain::{SpaceId, TopicId};
use planet_store::dialect::SearchTerms;
use planet_store::queries::blocks;
use planet_store::queries::talk::Topic;
use planet_store::queries::talk_search::{self, Found, Within};

/// Messages a page of results shows.
pub const PAGE_SIZE: u64 = 20;
/// Topics whose titles match, shown above the messages on the first page.
const TOPICS_SHOWN: u64 = 10;
/// Pages beyond this are not there.
const MAX_PAGE: u64 = 500;

pub struct Results {
    /// The words searched for (empty: nothing searchable was typed).
    pub words: Vec<String>,
    /// The one space searched, when the search was narrowed to it.
    pub space: Option<(SpaceId, String)>,
    pub topics: Vec<Topic>,
    pub messages: Vec<Found>,
    pub more: bool,
    pub sight: Sight,
}

pub async fn search(state: &AppState, ctx: &Ctx, query: &str, space: &str, page: u64) -> AppResult<Results> {
    let sight = sight(state, ctx, false).await?;
    let viewer = ctx.member()?.id;
    if page > MAX_PAGE {
        return Err(AppError::not_found());
    }
    let space = if space.is_empty() {
        None
    } else {
        // A space one may not see is "not found", like its page.
        let id = parse_space_id(space)?;
        if !sight.spaces.contains(&id) {
            return Err(AppError::not_found());
        }
        Some((id, sight.name(id)))
    };
    // Narrowed to a group, private conversations are left out; otherwise they are searched too.
    let (spaces, moderated, conversations): (Vec<SpaceId>, Vec<SpaceId>, Vec<TopicId>) = match &space {
        Some((id, _)) => (vec![*id], sight.moderated.iter().filter(|s| *s == id).copied().collect(), Vec::new()),
        None => (sight.spaces.clone(), sight.moderated.clone(), sight.conversations.iter().copied().collect()),
    };
    let within = Within { spaces: &spaces, conversations: &conversations };
    let query: String = query.chars().take(200).collect();
    let Some(terms) = SearchTerms::parse(&query) else {
        return Ok(Results { words: Vec::new(), space, topics: Vec::new(), messages: Vec::new(), more: false, sight });
    };
    let topics = if page == 0 {
        talk_search::topics(state.db(), &terms, viewer, within, &moderated, TOPICS_SHOWN).await?
    } else {
        Vec::new()
    };
    let mut messages = talk_search::messages(state.db(), &terms, within, PAGE_SIZE + 1, page * PAGE_SIZE).await?;
    // Messages of people the member blocked are left out (a page may then be shorter).
    let blocked = blocks::blocked_by(state.db(), viewer).await?;
    let more = messages.len() as u64 > PAGE_SIZE;
    messages.truncate(PAGE_SIZE as usize);
    messages.retain(|found| !blocked.contains(&found.message.author));
    Ok(Results { words: terms.words().to_vec(), space, topics, messages, more, sight })
}
