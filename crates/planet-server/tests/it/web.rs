//! The web basics: headers, friendly errors, the API document, the opening screen.

use crate::helpers::{location, spawn_app};

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    for path in ["/", "/login", "/no-such-page", "/assets/planet.css", "/api/v1/openapi.json"] {
        let response = steward.get(path).await;
        let headers = response.headers();
        let csp = headers.get("content-security-policy").unwrap().to_str().unwrap();
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(headers.get("x-content-type-options").unwrap(), "nosniff");
        assert_eq!(headers.get("x-frame-options").unwrap(), "DENY");
    }
    let login = app
        .browser()
        .post("/login", &[("email", "margaret@diss.example"), ("password", crate::helpers::PASSWORD)])
        .await;
    let cookie = login.headers().get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
}

#[tokio::test]
async fn unknown_pages_get_a_friendly_404() {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    let (status, page) = steward.get_text("/no-such-page").await;
    assert_eq!(status, 404);
    assert!(page.contains("We could not find that page"));
    let api = steward.get("/api/v1/nothing").await;
    assert_eq!(api.status().as_u16(), 404);
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn the_api_is_described() {
    let app = spawn_app().await;
    app.set_up().await;
    let doc: serde_json::Value =
        reqwest::get(format!("{}/api/v1/openapi.json", app.base)).await.unwrap().json().await.unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for route in planet_server::routes::route_table()
        .iter()
        .filter(|r| r.path.starts_with("/api/v1/") && r.path != "/api/v1/openapi.json")
    {
        let item = paths.get(route.path).unwrap_or_else(|| panic!("{} is not in the OpenAPI document", route.path));
        assert!(item.get(route.method.to_lowercase()).is_some(), "{} {} is not described", route.method, route.path);
    }
}

#[tokio::test]
async fn home_shows_the_social_model_and_the_areas() {
    let app = spawn_app().await;
    let steward = app.set_up().await;
    let (status, home) = steward.get_text("/").await;
    assert_eq!(status, 200);
    for area in ["Synergy", "Who We Are", "Commons", "Direction", "Peacemaking"] {
        assert!(home.contains(area), "{area}");
    }
    assert!(home.contains("<svg") && home.contains("aria-labelledby=\"model-title\""));
    // The only script is the bell's (the page works without it).
    assert_eq!(home.matches("<script").count(), 1, "{home}");
    assert!(home.contains("<script src=\"/assets/bell.js\" defer></script>"));
    let (status, area) = steward.get_text("/direction").await;
    assert_eq!(status, 200);
    assert!(area.contains("Coming soon"));
    assert_eq!(location(&app.browser().get("/direction").await), "/login");
    let (status, commons) = steward.get_text("/commons").await;
    assert_eq!(status, 200);
    assert!(commons.contains("There are no open polls"), "{commons}");
}

/// Pages are sent compressed to browsers that ask.
#[tokio::test]
async fn pages_are_compressed_for_browsers_that_ask() {
    let app = crate::helpers::spawn_app().await;
    let response = reqwest::Client::new()
        .get(format!("{}/setup", app.base))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers().get("content-encoding").and_then(|v| v.to_str().ok()), Some("gzip"));
    let plain = reqwest::Client::new().get(format!("{}/setup", app.base)).send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
}
