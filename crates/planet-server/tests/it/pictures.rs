//! Pictures in messages: sent with the reply form, cleaned of what the file said about where it
//! was taken, shown in the message, and served only to whoever may read the message.

use crate::helpers::{Browser, location};
use crate::talk::{group, say, start};
use crate::trust::photo_with_gps;
use planet_domain::TopicId;
use planet_store::queries::talk;

/// The reply form as a browser sends it with a file: multipart.
async fn send(browser: &Browser, topic: TopicId, fields: &[(&str, &str)], picture: &[u8]) -> (u16, String, String) {
    crate::helpers::post_multipart(browser, &format!("/topics/{topic}/messages"), fields, "image", picture).await
}

/// The address of the first picture on a page.
fn picture_in(page: &str) -> String {
    let id = page.split("src=\"/images/").nth(1).unwrap_or_else(|| panic!("no picture in {page}"));
    format!("/images/{}", id.split('"').next().unwrap())
}

#[tokio::test]
async fn a_picture_goes_with_a_message_and_only_to_those_who_may_read_it() {
    let g = group(2, false).await;
    let (ann, bob) = (&g.members[0].1, &g.members[1].1);
    let topic = start(ann, g.space, "Plum harvest", "Look at these").await;
    let fields = [("body", "Our plums!"), ("image_description", "Plums [in] a bowl")];
    let (status, place, _) = send(ann, topic, &fields, &photo_with_gps()).await;
    assert_eq!(status, 303);
    assert!(place.ends_with("done=posted#m2"), "{place}");

    // Bob sees it in the message, described; the picture carries nothing of the original file.
    let (_, page) = bob.get_text(&format!("/topics/{topic}")).await;
    let src = picture_in(&page);
    assert!(page.contains(&format!("<img src=\"{src}\" alt=\"Plums in a bowl\"")), "{page}");
    let response = bob.get(&src).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    let bytes = response.bytes().await.unwrap();
    assert!(!bytes.windows(4).any(|w| w == b"Exif") && !bytes.windows(11).any(|w| w == b"GPSLatitude"));
    // Someone outside the members-only group, or not logged in, does not get it.
    assert!([403, 404].contains(&g.outsider.get(&src).await.status().as_u16()));
    assert_eq!(location(&g.app.browser().get(&src).await), "/login");
    assert_eq!(g.outsider.get("/images/not-an-id").await.status().as_u16(), 404);

    // A picture alone is a message too.
    let (status, _, _) = send(ann, topic, &[("body", "")], &photo_with_gps()).await;
    assert_eq!(status, 303);
    // Not a picture: a clear error, and nothing is written.
    let (status, _, page) = send(ann, topic, &[("body", "And this")], b"GIF89a not really").await;
    assert_eq!(status, 422);
    assert!(page.contains("Please choose a photo: a JPEG, PNG or WebP picture."), "{page}");
    assert_eq!(talk::topic(g.app.db(), topic).await.unwrap().unwrap().last_number, 3);
    // Someone who may not write here is refused before the upload is looked at.
    let (status, _, _) = send(&g.outsider, topic, &[("body", "Hi")], b"not a picture").await;
    assert!([403, 404].contains(&status), "{status}");
    // Pictures from elsewhere are not shown (no tracking pixels).
    assert_eq!(say(bob, topic, "![x](https://tracker.example/p.gif) hello").await.status().as_u16(), 303);
    let (_, page) = ann.get_text(&format!("/topics/{topic}")).await;
    assert!(!page.contains("tracker.example"), "{page}");

    // Hidden by a coordinator: only its author (and moderators) still see the picture.
    let message = talk::message_by_number(g.app.db(), topic, 2).await.unwrap().unwrap().id;
    let hidden = g.coordinator.post(&format!("/messages/{message}/moderate"), &[("action", "hide")]).await;
    assert_eq!(hidden.status().as_u16(), 303);
    assert_eq!(bob.get(&src).await.status().as_u16(), 404);
    assert_eq!(ann.get(&src).await.status().as_u16(), 200);
    assert_eq!(g.coordinator.get(&src).await.status().as_u16(), 200);
    // Deleted: nobody.
    assert_eq!(ann.post(&format!("/messages/{message}/delete"), &[]).await.status().as_u16(), 303);
    assert_eq!(ann.get(&src).await.status().as_u16(), 404);

    // A new topic may start with a picture (and nothing else).
    let path = format!("/spaces/{}/topics", g.space);
    let fields = [("title", "Our orchard"), ("body", ""), ("image_description", "The orchard in May")];
    let (status, place, _) = crate::helpers::post_multipart(bob, &path, &fields, "image", &photo_with_gps()).await;
    assert_eq!(status, 303, "{place}");
    let (_, page) = ann.get_text(place.split(['?', '#']).next().unwrap()).await;
    assert!(page.contains("<h1>Our orchard</h1>") && page.contains("alt=\"The orchard in May\""), "{page}");
}
