//! What every page shares: its request context (language, query string, the API), the frame
//! around its content (`Chrome`: title, language switch, search box, breadcrumb, the "view as
//! GraphQL" panel), running its GraphQL documents, and its errors as pages.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::{web, FromRequest, HttpRequest, HttpResponse, ResponseError};
use askama::Template;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::assets;
use super::i18n::{Lang, Messages};
use super::params::Params;
use crate::error::ErrorCode;
use crate::graphql::Api;

/// No inline script and nothing from another origin.
pub const PAGE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// A GraphQL document of a page, from `queries/<name>.graphql`.
#[derive(Clone, Copy)]
pub struct Document {
    pub name: &'static str,
    pub text: &'static str,
}

macro_rules! document {
    ($name:literal) => {
        $crate::web::page::Document {
            name: $name,
            text: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/src/web/queries/",
                $name,
                ".graphql"
            )),
        }
    };
}
pub(crate) use document;

/// One document a page ran, as the "view as GraphQL" panel shows it.
#[derive(Clone)]
pub struct Panel {
    pub name: &'static str,
    pub document: &'static str,
    pub variables: String,
    pub curl: String,
}

/// A link in a breadcrumb or a list.
#[derive(Clone, Debug)]
pub struct Link {
    pub href: String,
    pub label: String,
}

impl Link {
    pub fn new(href: impl Into<String>, label: impl Into<String>) -> Link {
        Link {
            href: href.into(),
            label: label.into(),
        }
    }
}

/// The frame of every page.
#[derive(Clone)]
pub struct Chrome {
    pub lang: Lang,
    pub title: String,
    /// The same page in the other language: same path, same query.
    pub switch_href: String,
    /// What the search box shows.
    pub q: String,
    pub crumbs: Vec<Link>,
    pub panels: Vec<Panel>,
    /// The page's address, for the printed footer.
    pub url: String,
    pub today: String,
    pub css: String,
    pub js: String,
}

impl Chrome {
    /// A UI string.
    pub fn m(&self, key: &str) -> String {
        self.lang.messages().get(key)
    }

    /// A path in this language: `/zh/search`.
    pub fn href(&self, path: &str) -> String {
        format!("/{}/{}", self.lang.code(), path.trim_start_matches('/'))
    }

    pub fn other_lang_name(&self) -> String {
        self.lang.other().messages().get("lang.name")
    }

    pub fn other_lang_html(&self) -> &'static str {
        self.lang.other().html()
    }

    fn messages(&self) -> &'static Messages {
        self.lang.messages()
    }
}

/// The request as a page sees it. Its extraction fails (a 404 page) when the path's language
/// is neither `zh` nor `en`.
pub struct Ctx {
    pub lang: Lang,
    pub params: Params,
    pub api: web::Data<Api>,
    pub chrome: Chrome,
    origin: String,
}

impl FromRequest for Ctx {
    type Error = PageError;
    type Future = Ready<Result<Ctx, PageError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ctx::of(req))
    }
}

impl Ctx {
    fn of(req: &HttpRequest) -> Result<Ctx, PageError> {
        let lang = req.match_info().get("lang").and_then(Lang::parse);
        let Some(lang) = lang else {
            return Err(PageError::not_found(
                Chrome::bare(req, preferred_lang(req)),
                None,
            ));
        };
        let api = req
            .app_data::<web::Data<Api>>()
            .cloned()
            .expect("startup::run registers the Api");
        let chrome = Chrome::bare(req, lang);
        let info = req.connection_info();
        Ok(Ctx {
            lang,
            params: Params::parse(req.query_string()),
            api,
            origin: format!("{}://{}", info.scheme(), info.host()),
            chrome,
        })
    }

    pub fn m(&self, key: &str) -> String {
        self.lang.messages().get(key)
    }

    /// A path in this page's language.
    pub fn href(&self, path: &str) -> String {
        self.chrome.href(path)
    }

    /// Runs `document` with `variables` through the API, records it for the panel, and reads
    /// the data as `T`. An API error becomes this page's error page, with the API's message.
    pub async fn run<T: DeserializeOwned>(
        &mut self,
        document: Document,
        variables: Value,
    ) -> Result<T, PageError> {
        let response = self
            .api
            .execute_json(document.text, variables.clone())
            .await;
        self.record(document, &variables);
        if let Some(error) = response.errors.first() {
            return Err(self.error(error.code, error.message.clone()));
        }
        serde_json::from_value(response.data).map_err(|err| {
            tracing::error!(document = document.name, error = %err, "a page cannot read its data");
            self.error(ErrorCode::Internal, self.m("error.internal"))
        })
    }

    fn record(&mut self, document: Document, variables: &Value) {
        let body = serde_json::json!({ "query": document.text, "variables": variables });
        let curl = format!(
            "curl -s {}/graphql -H 'content-type: application/json' -d '{}'",
            self.origin,
            body.to_string().replace('\'', "'\\''")
        );
        self.chrome.panels.push(Panel {
            name: document.name,
            document: document.text,
            variables: serde_json::to_string_pretty(variables).unwrap_or_default(),
            curl,
        });
    }

    /// The error page of a failure with `code`, at the code's own status (`ErrorCode`'s table).
    pub fn error(&self, code: ErrorCode, message: String) -> PageError {
        PageError {
            status: crate::edge::status_of(code),
            message,
            c: Box::new(self.error_chrome()),
        }
    }

    /// The 404 page for a record that does not exist.
    pub fn not_found(&self) -> PageError {
        PageError::not_found(self.error_chrome(), None)
    }

    /// The frame for an error page: no breadcrumb.
    fn error_chrome(&self) -> Chrome {
        Chrome {
            crumbs: Vec::new(),
            ..self.chrome.clone()
        }
    }

    /// The frame of the finished page, with its title.
    pub fn finish(&mut self, title: String) -> Chrome {
        self.chrome.title = title;
        self.chrome.clone()
    }
}

impl Chrome {
    /// The frame of a page before it has run anything.
    fn bare(req: &HttpRequest, lang: Lang) -> Chrome {
        let path = req.path();
        let rest = path
            .strip_prefix("/zh")
            .or_else(|| path.strip_prefix("/en"))
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
            .unwrap_or("/");
        let query = match req.query_string() {
            "" => String::new(),
            q => format!("?{q}"),
        };
        let info = req.connection_info();
        Chrome {
            lang,
            title: String::new(),
            switch_href: format!(
                "/{}{}{query}",
                lang.other().code(),
                if rest.is_empty() { "/" } else { rest }
            ),
            q: Params::parse(req.query_string())
                .get("q")
                .unwrap_or_default()
                .to_string(),
            crumbs: Vec::new(),
            panels: Vec::new(),
            url: format!("{}://{}{}{query}", info.scheme(), info.host(), path),
            today: chrono::Utc::now().format("%Y-%m-%d").to_string(),
            css: assets::url("app.css"),
            js: assets::url("app.js"),
        }
    }
}

/// The language of a request whose path names none: its `Accept-Language`.
pub fn preferred_lang(req: &HttpRequest) -> Lang {
    Lang::negotiate(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

/// A page that renders with the page headers (CSP, no caching of personal state).
pub fn html(status: StatusCode, page: &impl Template) -> HttpResponse {
    match page.render() {
        Ok(body) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CONTENT_SECURITY_POLICY, PAGE_CSP))
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .insert_header((header::VARY, "Accept-Encoding"))
            .body(body),
        Err(err) => {
            tracing::error!(error = %err, "a page template failed");
            HttpResponse::InternalServerError()
                .content_type("text/plain; charset=utf-8")
                .body("internal error")
        }
    }
}

/// An error shown as a page in the page's language, with the search box.
#[derive(Template)]
#[template(path = "error.html")]
pub struct PageError {
    pub status: StatusCode,
    pub message: String,
    pub c: Box<Chrome>,
}

impl PageError {
    fn not_found(mut chrome: Chrome, message: Option<String>) -> PageError {
        let messages = chrome.messages();
        chrome.title = messages.get("error.not_found_title");
        PageError {
            status: crate::edge::status_of(ErrorCode::NotFound),
            message: message.unwrap_or_else(|| messages.get("error.not_found")),
            c: Box::new(chrome),
        }
    }

    /// The 404 page for any path the app does not know.
    pub fn unknown_path(req: &HttpRequest) -> PageError {
        let lang = req
            .path()
            .split('/')
            .nth(1)
            .and_then(Lang::parse)
            .unwrap_or_else(|| preferred_lang(req));
        PageError::not_found(Chrome::bare(req, lang), None)
    }

    pub fn heading(&self) -> String {
        if self.status == StatusCode::NOT_FOUND {
            self.c.m("error.not_found_title")
        } else if self.status.is_client_error() {
            self.c.m("error.bad_request_title")
        } else {
            self.c.m("error.internal_title")
        }
    }
}

impl std::fmt::Debug for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.message)
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        html(self.status, self)
    }
}
