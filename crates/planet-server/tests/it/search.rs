//! Searching talk on a real database: messages and titles the viewer may see, and nothing else:
//! not other groups' talk, not deleted or hidden messages; what was typed is shown harmless.

use crate::helpers::location;
use crate::talk::{group, say, start};
use planet_store::queries::talk;

#[tokio::test]
async fn search_finds_what_the_viewer_may_see_and_nothing_else() {
    let g = group(2, false).await;
    let (ann, bob) = (&g.members[0].1, &g.members[1].1);
    let topic = start(ann, g.space, "Apple pressing", "Who has an apple press?").await;
    say(bob, topic, "I have a press <script>alert(1)</script> in my garage").await;
    say(ann, topic, "Lovely, thank you").await;

    let (status, page) = bob.get_text("/talk/search?q=pres").await;
    assert_eq!(status, 200);
    assert_eq!(page.matches("class=\"search-result\"").count(), 2, "{page}");
    assert!(page.contains("<mark>press</mark>") && page.contains("&#60;script&#62;"), "{page}");
    assert!(!page.contains("<script>alert(1)"));
    // The newest first, each linking to its message.
    let first = page.find("garage").unwrap();
    assert!(first < page.find("Who has an").unwrap());
    assert!(page.contains(&format!("/topics/{topic}?upto=2#m2")));
    // Titles are searched too.
    let (_, page) = bob.get_text("/talk/search?q=APPLE").await;
    assert!(page.contains("Conversations with these words in their title") && page.contains("Apple pressing"));

    // Someone outside the members-only group finds nothing, and cannot narrow to it.
    let (_, page) = g.outsider.get_text("/talk/search?q=press").await;
    assert!(!page.contains("Apple pressing") && page.contains("No messages have these words"), "{page}");
    assert_eq!(g.outsider.get(&format!("/talk/search?q=press&space={}", g.space)).await.status().as_u16(), 404);
    let (status, page) = bob.get_text(&format!("/talk/search?q=press&space={}", g.space)).await;
    assert_eq!(status, 200);
    assert!(page.contains("Search conversations in Veg boxes") && page.contains("garage"));

    // Deleted and hidden messages are no longer found.
    let first = talk::message_by_number(g.app.db(), topic, 1).await.unwrap().unwrap().id;
    assert_eq!(ann.post(&format!("/messages/{first}/delete"), &[]).await.status().as_u16(), 303);
    let second = talk::message_by_number(g.app.db(), topic, 2).await.unwrap().unwrap().id;
    let hidden = g.coordinator.post(&format!("/messages/{second}/moderate"), &[("action", "hide")]).await;
    assert_eq!(hidden.status().as_u16(), 303, "{}", location(&hidden));
    let (_, page) = bob.get_text("/talk/search?q=press").await;
    assert_eq!(page.matches("class=\"search-result\"").count(), 0, "{page}");
    // Restored: found again.
    g.coordinator.post(&format!("/messages/{second}/moderate"), &[("action", "restore")]).await;
    let (_, page) = bob.get_text("/talk/search?q=garage").await;
    assert_eq!(page.matches("class=\"search-result\"").count(), 1, "{page}");

    // What was typed is shown back harmless, and search syntax is only words.
    let (status, page) = bob.get_text("/talk/search?q=%3Cscript%3Ealert(2)%3C%2Fscript%3E%22%20OR%20*").await;
    assert_eq!(status, 200);
    assert!(!page.contains("<script>alert(2)") && page.contains("&#60;script&#62;alert(2)"), "{page}");

    // Programs search too.
    let (_, settings) = bob.post_text("/settings/tokens", &[("name", "search")]).await;
    let token = crate::helpers::api_token_in(&settings);
    let found: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/api/v1/talk/search?q=garage", g.app.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found["messages"][0]["number"], 2, "{found}");
    assert_eq!(found["messages"][0]["topic_title"], "Apple pressing");
}
