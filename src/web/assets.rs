//! The static assets, embedded in the binary and served under a name that carries a hash of
//! their content (`/assets/app.3f2a9c1b.css`), so they can be cached for a year.

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use sha2::{Digest, Sha256};

/// One embedded file.
pub struct Asset {
    /// The name in the source tree, such as `app.css`.
    pub name: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
    /// The name it is served under, with the content hash.
    pub hashed: String,
}

macro_rules! asset {
    ($name:literal, $content_type:expr) => {
        (
            $name,
            $content_type,
            include_bytes!(concat!("assets/", $name)) as &[u8],
        )
    };
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    [
        asset!("app.css", CSS),
        asset!("app.js", JS),
        asset!("graphiql-start.js", JS),
        asset!("vendor/react.production.min.js", JS),
        asset!("vendor/react-dom.production.min.js", JS),
        asset!("vendor/graphiql.min.js", JS),
        asset!("vendor/graphiql.min.css", CSS),
    ]
    .into_iter()
    .map(|(name, content_type, bytes)| Asset {
        name,
        content_type,
        bytes,
        hashed: hashed_name(name, bytes),
    })
    .collect()
});

/// `vendor/react.production.min.js` -> `react.production.min.1a2b3c4d5e6f.js`.
fn hashed_name(name: &str, bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hash: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    let file = name.rsplit('/').next().unwrap_or(name);
    let (stem, ext) = file.rsplit_once('.').unwrap_or((file, ""));
    format!("{stem}.{hash}.{ext}")
}

/// The URL of an asset by its source name. Names are fixed in the code, so an unknown one is
/// a bug that the page tests catch (the link then 404s).
pub fn url(name: &str) -> String {
    ASSETS
        .iter()
        .find(|asset| asset.name == name)
        .map(|asset| format!("/assets/{}", asset.hashed))
        .unwrap_or_else(|| format!("/assets/missing-{name}"))
}

/// `GET /assets/{hashed name}`: immutable for a year; any other name is 404.
pub async fn serve(name: web::Path<String>) -> HttpResponse {
    match ASSETS.iter().find(|asset| asset.hashed == *name) {
        Some(asset) => HttpResponse::Ok()
            .content_type(asset.content_type)
            .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .body(asset.bytes),
        None => HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("no such asset"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_a_content_hash() {
        let css = url("app.css");
        assert!(css.starts_with("/assets/app."), "{css}");
        assert!(css.ends_with(".css"));
        assert_eq!(css.len(), "/assets/app..css".len() + 12);
        assert_ne!(hashed_name("a.css", b"one"), hashed_name("a.css", b"two"));
    }

    #[test]
    fn the_planner_assets_stay_light() {
        // The budget: CSS <= 15 KB, JS <= 15 KB (GraphiQL's bundle is not a planner page).
        for (name, limit) in [("app.css", 15 * 1024), ("app.js", 15 * 1024)] {
            let asset = ASSETS.iter().find(|a| a.name == name).unwrap();
            assert!(
                asset.bytes.len() <= limit,
                "{name}: {} bytes",
                asset.bytes.len()
            );
        }
    }
}
