//! Per-route requirements: the ordered `rules` of the plugin configuration (first match
//! wins, as Envoy's `jwt_authn` `rules`), and the DRF permission check (`IsAuthenticated`
//! plus token type and `scopes`) that a rule asks of an authenticated token.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use drf_sso_jwt::json::{self, Map, Value};

/// What a rule asks of a request, from the weakest to the strictest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Requirement {
    /// Not authenticated at all: the credentials header is not even read.
    Skip,
    /// DRF's own behaviour: no credentials (or another scheme) pass anonymously, credentials are verified.
    Optional,
    /// Credentials are required: none is a 401 `NotAuthenticated`.
    Required,
}

/// The `token` claim a rule asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Any token drf-sso accepts (`session` or `auth`).
    Any,
    /// Authorization tokens only (`"token": "auth"`).
    Auth,
    /// Session tokens only (`"token": "session"`).
    Session,
    /// Two combined rules asked for different kinds: no token satisfies both.
    Neither,
}

impl TokenKind {
    fn both(self, other: TokenKind) -> TokenKind {
        match (self, other) {
            (TokenKind::Any, k) | (k, TokenKind::Any) => k,
            (a, b) if a == b => a,
            _ => TokenKind::Neither,
        }
    }
}

/// Where a rule applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathMatch {
    /// Every path.
    Any,
    /// This path exactly (query excluded).
    Exact(String),
    /// Whole-segment prefix: `/api` matches `/api` and `/api/x`, not `/apix`; a prefix
    /// ending in `/` needs that `/`.
    Prefix(String),
}

/// One rule of the configuration (or the default rule built from the top-level keys).
#[derive(Debug, Clone)]
pub struct Rule {
    pub path: PathMatch,
    /// Methods the rule applies to (`None`: all).
    pub methods: Option<Vec<String>>,
    pub requirement: Requirement,
    pub token: TokenKind,
    /// Every one of these must be in the token's `scopes` list.
    pub scopes: Vec<String>,
}

/// What the selected rule(s) ask of this request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effective<'c> {
    pub requirement: Requirement,
    pub token: TokenKind,
    pub scopes: Vec<&'c str>,
}

/// Why an authenticated token is refused by a rule (DRF's `PermissionDenied`, 403).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forbidden {
    /// The `token` claim is not the kind the rule asks for.
    WrongTokenType,
    /// The `scopes` claim lacks a scope the rule asks for.
    MissingScope,
}

impl Forbidden {
    /// Stable code, for metrics, logs and the response code details.
    pub fn code(self) -> &'static str {
        match self {
            Forbidden::WrongTokenType => "wrong_token_type",
            Forbidden::MissingScope => "missing_scope",
        }
    }
}

impl Effective<'_> {
    /// DRF's permission check of a verified payload against this requirement.
    pub fn permits(&self, payload: &Map) -> Result<(), Forbidden> {
        let kind = payload.get("token").and_then(Value::as_str);
        let ok = match self.token {
            TokenKind::Any => true,
            TokenKind::Auth => kind == Some("auth"),
            TokenKind::Session => kind == Some("session"),
            TokenKind::Neither => false,
        };
        if !ok {
            return Err(Forbidden::WrongTokenType);
        }
        if self.scopes.is_empty() {
            return Ok(());
        }
        // drf-sso's `scopes` claim is a list of strings; anything else grants no scope.
        let granted: &[Value] = match payload.get("scopes") {
            Some(Value::Array(a)) => a,
            _ => &[],
        };
        let has = |s: &str| granted.iter().any(|g| g.as_str() == Some(s));
        if self.scopes.iter().all(|s| has(s)) {
            Ok(())
        } else {
            Err(Forbidden::MissingScope)
        }
    }
}

impl Rule {
    fn applies(&self, method: &[u8], path: &[u8]) -> bool {
        if let Some(methods) = &self.methods {
            if !methods.iter().any(|m| m.as_bytes() == method) {
                return false;
            }
        }
        match &self.path {
            PathMatch::Any => true,
            PathMatch::Exact(p) => path == p.as_bytes(),
            PathMatch::Prefix(p) => {
                let p = p.as_bytes();
                path.starts_with(p)
                    && (path.len() == p.len() || p.ends_with(b"/") || path[p.len()] == b'/')
            }
        }
    }

    fn effective(&self) -> Effective<'_> {
        Effective {
            requirement: self.requirement,
            token: self.token,
            scopes: self.scopes.iter().map(String::as_str).collect(),
        }
    }
}

/// Both requirements at once: the stricter requirement, both token kinds, every scope.
fn combine<'c>(mut a: Effective<'c>, b: Effective<'c>) -> Effective<'c> {
    a.requirement = a.requirement.max(b.requirement);
    a.token = a.token.both(b.token);
    for s in b.scopes {
        if !a.scopes.contains(&s) {
            a.scopes.push(s);
        }
    }
    a
}

/// The rules in order, then the default rule.
#[derive(Debug, Clone)]
pub struct Rules {
    pub rules: Vec<Rule>,
    pub default: Rule,
}

impl Rules {
    /// The requirement for a request with this `:method` and `:path` (query included).
    ///
    /// A canonical path takes the first rule that matches it. A path the upstream may
    /// read differently (`%` escapes, `\`, empty or dot segments) is held to the first
    /// matching rule of the path as sent AND of its normalised form (decoded, `\` as
    /// `/`, slashes merged, dot segments resolved), combined; `skip` rules never match it.
    pub fn select(&self, method: &[u8], path: &[u8]) -> Effective<'_> {
        let end = path
            .iter()
            .position(|&b| b == b'?' || b == b'#')
            .unwrap_or(path.len());
        let raw = &path[..end];
        match normalize(raw) {
            None => self.first(method, raw, true).effective(),
            Some(norm) => combine(
                self.first(method, raw, false).effective(),
                self.first(method, &norm, false).effective(),
            ),
        }
    }

    fn first(&self, method: &[u8], path: &[u8], canonical: bool) -> &Rule {
        self.rules
            .iter()
            .filter(|r| canonical || r.requirement != Requirement::Skip)
            .find(|r| r.applies(method, path))
            .unwrap_or(&self.default)
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// `None` if `path` is canonical; else its normalised form: `%XX` decoded, `\` read as
/// `/`, empty segments dropped, `.` and `..` resolved (a trailing `/` is kept).
pub fn normalize(path: &[u8]) -> Option<Vec<u8>> {
    let dot = path
        .split(|&b| b == b'/')
        .skip(1)
        .any(|s| s == b"." || s == b"..");
    let empty = path.windows(2).any(|w| w == b"//");
    if !dot && !empty && !path.contains(&b'%') && !path.contains(&b'\\') {
        return None;
    }
    let mut decoded = Vec::with_capacity(path.len());
    let mut i = 0;
    while i < path.len() {
        if path[i] == b'%' && i + 2 < path.len() {
            if let (Some(h), Some(l)) = (hex(path[i + 1]), hex(path[i + 2])) {
                decoded.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        decoded.push(path[i]);
        i += 1;
    }
    for b in decoded.iter_mut() {
        if *b == b'\\' {
            *b = b'/';
        }
    }
    let mut segments: Vec<&[u8]> = Vec::new();
    for seg in decoded.split(|&b| b == b'/') {
        match seg {
            b"" | b"." => {}
            b".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let last = decoded.rsplit(|&b| b == b'/').next().unwrap_or(b"");
    let trailing = matches!(last, b"" | b"." | b"..");
    let mut out = Vec::with_capacity(decoded.len() + 1);
    for s in &segments {
        out.push(b'/');
        out.extend_from_slice(s);
    }
    if trailing || segments.is_empty() {
        out.push(b'/');
    }
    Some(out)
}

// ---- configuration ----

const RULE_KEYS: [&str; 6] = [
    "prefix",
    "path",
    "methods",
    "requirement",
    "token",
    "scopes",
];

fn path_text(what: &str, v: &Value) -> Result<String, String> {
    match v.as_str() {
        Some(p) if p.starts_with('/') && !p.bytes().any(|b| b <= 0x20 || b == 0x7f) => {
            Ok(p.to_owned())
        }
        _ => Err(format!(
            "{what} must be a path starting with '/' (no spaces or control characters), got {}",
            json::dumps(v, false)
        )),
    }
}

/// `token`: `"auth"`, `"session"` or absent / null (any).
pub fn token_kind(what: &str, v: Option<&Value>) -> Result<TokenKind, String> {
    match v {
        None | Some(Value::Null) => Ok(TokenKind::Any),
        Some(v) => match v.as_str() {
            Some("auth") => Ok(TokenKind::Auth),
            Some("session") => Ok(TokenKind::Session),
            _ => Err(format!("{what} must be \"auth\" or \"session\"")),
        },
    }
}

/// `scopes`: a list of non-empty strings (absent / null: none).
pub fn scopes(what: &str, v: Option<&Value>) -> Result<Vec<String>, String> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|s| match s.as_str() {
                Some(s) if !s.is_empty() => Ok(s.to_owned()),
                _ => Err(format!("{what} entries must be non-empty strings")),
            })
            .collect(),
        Some(_) => Err(format!("{what} must be a list of scope names")),
    }
}

fn requirement(what: &str, v: Option<&Value>) -> Result<Requirement, String> {
    match v.and_then(Value::as_str) {
        Some("skip") => Ok(Requirement::Skip),
        Some("optional") => Ok(Requirement::Optional),
        Some("required") => Ok(Requirement::Required),
        _ => Err(format!(
            "{what}.requirement must be \"skip\", \"optional\" or \"required\""
        )),
    }
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// One entry of `rules`.
pub fn rule(i: usize, v: &Value) -> Result<Rule, String> {
    let what = format!("rules[{i}]");
    let Value::Object(m) = v else {
        return Err(format!("{what} must be an object"));
    };
    if let Some((k, _)) = m.iter().find(|(k, _)| !RULE_KEYS.contains(&k.as_str())) {
        return Err(format!(
            "{what}: unknown key {k:?} (known: {})",
            RULE_KEYS.join(", ")
        ));
    }
    let path = match (m.get("prefix"), m.get("path")) {
        (Some(p), None) => PathMatch::Prefix(path_text(&format!("{what}.prefix"), p)?),
        (None, Some(p)) => PathMatch::Exact(path_text(&format!("{what}.path"), p)?),
        _ => {
            return Err(format!(
                "{what} needs exactly one of \"prefix\" and \"path\""
            ))
        }
    };
    let methods = match m.get("methods") {
        None | Some(Value::Null) => None,
        Some(Value::Array(a)) if !a.is_empty() => Some(
            a.iter()
                .map(|x| match x.as_str() {
                    Some(s) if !s.is_empty() && s.bytes().all(is_tchar) => Ok(s.to_owned()),
                    _ => Err(format!("{what}.methods entries must be method names")),
                })
                .collect::<Result<_, _>>()?,
        ),
        Some(_) => {
            return Err(format!(
                "{what}.methods must be a non-empty list of method names"
            ))
        }
    };
    let requirement = requirement(&what, m.get("requirement"))?;
    let token = token_kind(&format!("{what}.token"), m.get("token"))?;
    let scopes = scopes(&format!("{what}.scopes"), m.get("scopes"))?;
    if requirement == Requirement::Skip && (token != TokenKind::Any || !scopes.is_empty()) {
        return Err(format!(
            "{what}: a \"skip\" rule cannot ask for a token kind or scopes"
        ));
    }
    Ok(Rule {
        path,
        methods,
        requirement,
        token,
        scopes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(p: &str) -> Option<String> {
        normalize(p.as_bytes()).map(|v| String::from_utf8(v).unwrap())
    }

    #[test]
    fn normalisation() {
        for p in ["/", "/a", "/a/b/", "/a.b/c..d"] {
            assert_eq!(n(p), None, "{p} is canonical");
        }
        let cases = [
            ("//a", "/a"),
            ("/a//b", "/a/b"),
            ("/a/./b", "/a/b"),
            ("/a/../b", "/b"),
            ("/../../a", "/a"),
            ("/a/..", "/"),
            ("/a/b/.", "/a/b/"),
            ("/%61dmin", "/admin"),
            ("/a%2Fb", "/a/b"),
            ("/a%2f..%2fb", "/b"),
            ("/a\\..\\b", "/b"),
            ("/x%2", "/x%2"),
            ("/x%zz", "/x%zz"),
            ("/a%20b", "/a b"),
            ("/a%5c..%5cb", "/b"),
        ];
        for (p, want) in cases {
            assert_eq!(n(p).as_deref(), Some(want), "{p}");
        }
    }

    fn rules(list: &str, default: Requirement) -> Rules {
        let v = json::parse(list.as_bytes()).unwrap();
        let Value::Array(a) = v else { panic!() };
        Rules {
            rules: a
                .iter()
                .enumerate()
                .map(|(i, r)| rule(i, r).unwrap())
                .collect(),
            default: Rule {
                path: PathMatch::Any,
                methods: None,
                requirement: default,
                token: TokenKind::Any,
                scopes: Vec::new(),
            },
        }
    }

    #[test]
    fn first_match_wins_and_ambiguous_paths_take_both_readings() {
        let r = rules(
            r#"[{"prefix": "/healthz", "requirement": "skip"},
                {"path": "/api/public", "methods": ["GET", "HEAD"], "requirement": "optional"},
                {"prefix": "/api/admin/", "requirement": "required", "token": "auth", "scopes": ["admin"]},
                {"prefix": "/api/session", "requirement": "required", "token": "session"},
                {"prefix": "/api", "requirement": "required", "token": "auth"}]"#,
            Requirement::Optional,
        );
        let sel = |m: &str, p: &str| r.select(m.as_bytes(), p.as_bytes());
        assert_eq!(sel("GET", "/healthz").requirement, Requirement::Skip);
        assert_eq!(sel("GET", "/healthz/live?x").requirement, Requirement::Skip);
        assert_eq!(sel("GET", "/healthzz").requirement, Requirement::Optional);
        assert_eq!(sel("GET", "/api/public").requirement, Requirement::Optional);
        assert_eq!(sel("POST", "/api/public").token, TokenKind::Auth);
        assert_eq!(sel("GET", "/api/public/x").token, TokenKind::Auth);
        let admin = sel("GET", "/api/admin/users");
        assert_eq!(
            (admin.requirement, admin.token, admin.scopes),
            (Requirement::Required, TokenKind::Auth, alloc::vec!["admin"])
        );
        assert_eq!(sel("GET", "/other").requirement, Requirement::Optional);
        // Readings the upstream may make: each reaches the stricter rule.
        assert_eq!(
            sel("GET", "/api/%61dmin/users").scopes,
            alloc::vec!["admin"]
        );
        assert_eq!(sel("GET", "/x/../api/admin/u").scopes, alloc::vec!["admin"]);
        assert_eq!(
            sel("GET", "/healthz/../api").requirement,
            Requirement::Required
        );
        assert_eq!(sel("GET", "/healthz/%2e%2e/api").token, TokenKind::Auth);
        assert_eq!(sel("GET", "//healthz").requirement, Requirement::Optional);
        // Two rules of different token kinds: nothing satisfies both.
        assert_eq!(sel("GET", "/api/session/..%2Fx").token, TokenKind::Neither);
    }

    #[test]
    fn permission_checks() {
        let payload = |t: &str| match json::parse(t.as_bytes()).unwrap() {
            Value::Object(m) => m,
            _ => panic!(),
        };
        let e = |token, scopes: &[&'static str]| Effective {
            requirement: Requirement::Required,
            token,
            scopes: scopes.to_vec(),
        };
        let auth = payload(r#"{"token": "auth", "scopes": ["read", "write"]}"#);
        let session = payload(r#"{"token": "session"}"#);
        assert_eq!(e(TokenKind::Any, &[]).permits(&session), Ok(()));
        assert_eq!(e(TokenKind::Auth, &["read"]).permits(&auth), Ok(()));
        assert_eq!(
            e(TokenKind::Auth, &["read", "write"]).permits(&auth),
            Ok(())
        );
        assert_eq!(
            e(TokenKind::Auth, &["read", "admin"]).permits(&auth),
            Err(Forbidden::MissingScope)
        );
        assert_eq!(
            e(TokenKind::Auth, &[]).permits(&session),
            Err(Forbidden::WrongTokenType)
        );
        assert_eq!(
            e(TokenKind::Session, &[]).permits(&auth),
            Err(Forbidden::WrongTokenType)
        );
        assert_eq!(
            e(TokenKind::Any, &["read"]).permits(&session),
            Err(Forbidden::MissingScope)
        );
        let odd = payload(r#"{"token": "auth", "scopes": "read"}"#);
        assert_eq!(
            e(TokenKind::Any, &["read"]).permits(&odd),
            Err(Forbidden::MissingScope)
        );
        assert_eq!(
            e(TokenKind::Neither, &[]).permits(&auth),
            Err(Forbidden::WrongTokenType)
        );
    }

    #[test]
    fn rule_errors() {
        for (r, msg) in [
            (r#"{"requirement": "skip"}"#, "exactly one"),
            (
                r#"{"prefix": "/a", "path": "/a", "requirement": "skip"}"#,
                "exactly one",
            ),
            (
                r#"{"prefix": "a", "requirement": "skip"}"#,
                "starting with '/'",
            ),
            (r#"{"prefix": "/a"}"#, "requirement"),
            (r#"{"prefix": "/a", "requirement": "maybe"}"#, "requirement"),
            (
                r#"{"prefix": "/a", "requirement": "required", "token": "x"}"#,
                "token",
            ),
            (
                r#"{"prefix": "/a", "requirement": "required", "scopes": "a"}"#,
                "scopes",
            ),
            (
                r#"{"prefix": "/a", "requirement": "required", "scopes": [""]}"#,
                "scopes",
            ),
            (
                r#"{"prefix": "/a", "requirement": "skip", "scopes": ["a"]}"#,
                "skip",
            ),
            (
                r#"{"prefix": "/a", "requirement": "skip", "methods": []}"#,
                "methods",
            ),
            (
                r#"{"prefix": "/a", "requirement": "skip", "methods": ["G T"]}"#,
                "methods",
            ),
            (
                r#"{"prefix": "/a", "requirement": "skip", "nope": 1}"#,
                "unknown key",
            ),
            (r#"[]"#, "object"),
        ] {
            let e = rule(0, &json::parse(r.as_bytes()).unwrap()).unwrap_err();
            assert!(e.contains(msg), "{r}: {e}");
        }
    }
}
