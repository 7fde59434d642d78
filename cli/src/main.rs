//! `drf-sso-jwt`: verify, decode and export keys of djangorestframework-sso tokens from
//! a shell, one JSON object per line (the contract the parity tests and scripts rely on).

use std::io::{self, BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use drf_sso_jwt::json::{write_json_str, Value};
use drf_sso_jwt::{
    create_authorization_payload, create_session_payload, dangerous, CachedVerifier, EdgeState,
    Error, Issuer, KeyStore, Payload, Settings, SignatureCheck, StalePolicy, Subject, TokenData,
    Verifier,
};

const USAGE: &str = "usage:
  drf-sso-jwt verify --settings FILE [--now UNIX] [--cache N] [TOKEN]   verify TOKEN or each stdin line
                                                            (--cache N: remember N verified signatures; default 0)
  drf-sso-jwt authenticate --settings FILE [--now UNIX]       each stdin line: a JSON string (Authorization header, one char per byte) or null
                    [--keys-doc FILE] [--state FILE] [--stale refuse|stateless] [--issuer NAME]
                                                            with the server's signed key-set / session-state documents
  drf-sso-jwt decode [TOKEN]                                  header and payload, no verification
  drf-sso-jwt jwks --settings FILE                            public keys of the key store as JWKS
  drf-sso-jwt issue --settings FILE --type session|auth --sid SID --uid UID [--email E] [--cid C]
                    [--claim KEY=JSON ...] [--now UNIX]        mint a token as the Django server would
  drf-sso-jwt sign --settings FILE [--now UNIX]               each stdin line: a payload object for encode_jwt_token

Values of --sid/--uid/--email/--cid are JSON when they parse as JSON (42, \"42\"), else strings.";

struct Args {
    command: String,
    settings: Option<PathBuf>,
    now: Option<f64>,
    rest: Vec<String>,
    named: Vec<(String, String)>,
    cache: usize,
    check: SignatureCheck,
    state: Option<PathBuf>,
    keys_doc: Option<PathBuf>,
    stale: Option<StalePolicy>,
    issuer: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let command = it.next().ok_or("missing command")?;
    let mut a = Args {
        command,
        settings: None,
        now: None,
        rest: Vec::new(),
        named: Vec::new(),
        cache: 0,
        check: SignatureCheck::Fast,
        state: None,
        keys_doc: None,
        stale: None,
        issuer: None,
    };
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--settings" => a.settings = Some(it.next().ok_or("--settings needs a file")?.into()),
            "--now" => {
                let v = it.next().ok_or("--now needs a number")?;
                a.now = Some(
                    v.parse::<f64>()
                        .ok()
                        .filter(|f| f.is_finite())
                        .ok_or_else(|| format!("--now: not a number: {v}"))?,
                );
            }
            "--cache" => {
                let v = it.next().ok_or("--cache needs a number of entries")?;
                a.cache = v
                    .parse()
                    .map_err(|_| format!("--cache: not a count: {v}"))?;
            }
            // Hidden: the parity harness cross-checks the fast RSA path with these.
            "--signature-check" => {
                let v = it
                    .next()
                    .ok_or("--signature-check needs fast, mulx, portable or rsa-crate")?;
                a.check = SignatureCheck::from_name(&v)
                    .ok_or_else(|| format!("--signature-check: unknown {v}"))?;
            }
            "--state" => a.state = Some(it.next().ok_or("--state needs a file")?.into()),
            "--keys-doc" => a.keys_doc = Some(it.next().ok_or("--keys-doc needs a file")?.into()),
            "--issuer" => a.issuer = Some(it.next().ok_or("--issuer needs a name")?),
            "--stale" => {
                let v = it.next().ok_or("--stale needs refuse or stateless")?;
                a.stale = Some(
                    StalePolicy::from_name(&v)
                        .ok_or_else(|| format!("--stale: refuse or stateless, not {v}"))?,
                );
            }
            "--type" | "--sid" | "--uid" | "--email" | "--cid" | "--claim" => {
                let v = it.next().ok_or_else(|| format!("{arg} needs a value"))?;
                a.named.push((arg[2..].to_owned(), v));
            }
            "-h" | "--help" => return Err(String::new()),
            s if s.starts_with("--") => return Err(format!("unknown option {s}")),
            _ => a.rest.push(arg),
        }
    }
    Ok(a)
}

fn load_settings(path: Option<&Path>) -> Result<(Settings, PathBuf), String> {
    let path = path.ok_or("--settings FILE is required")?;
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let settings = Settings::from_json(&text).map_err(|e| e.message().to_owned())?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok((settings, dir))
}

fn verifier(path: Option<&Path>, check: SignatureCheck) -> Result<Verifier, String> {
    let (settings, dir) = load_settings(path)?;
    let keys =
        KeyStore::from_key_store_root(&settings, &dir).map_err(|e| e.message().to_owned())?;
    // Key files only some tokens will fail on are reported, and the rest keeps working.
    for w in keys.warnings() {
        eprintln!("drf-sso-jwt: warning: {w}");
    }
    Verifier::new(settings, keys)
        .map(|v| v.with_signature_check(check))
        .map_err(|e| e.message().to_owned())
}

fn issuer(path: Option<&Path>) -> Result<Issuer, String> {
    let (settings, dir) = load_settings(path)?;
    Issuer::from_key_store_root(settings, &dir).map_err(|e| e.message().to_owned())
}

/// A CLI value: JSON if it parses as JSON, else the string itself.
fn cli_value(text: &str) -> Value {
    drf_sso_jwt::json::parse(text.as_bytes()).unwrap_or_else(|_| Value::Str(text.to_owned()))
}

/// The payload `create_session_payload` / `create_authorization_payload` would build.
fn issue_payload(a: &Args, now: f64) -> Result<Payload, String> {
    let get = |k: &str| {
        a.named
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    };
    let need = |k: &str| get(k).ok_or_else(|| format!("issue needs --{k}"));
    let subject = Subject {
        sid: cli_value(need("sid")?),
        cid: get("cid").map_or(Value::Str(String::new()), cli_value),
        uid: cli_value(need("uid")?),
        email: get("email").map_or(Value::Str(String::new()), |e| Value::Str(e.to_owned())),
    };
    let mut extra = Vec::new();
    for (n, v) in &a.named {
        if n == "claim" {
            let (k, j) = v.split_once('=').ok_or("--claim takes KEY=JSON")?;
            let value = drf_sso_jwt::json::parse(j.as_bytes())
                .map_err(|e| format!("--claim {k}: {}", e.message()))?;
            extra.push((k.to_owned(), value));
        }
    }
    match need("type")? {
        "session" => Ok(create_session_payload(&subject, Some(now), &extra)),
        "auth" => Ok(create_authorization_payload(&subject, &extra)),
        other => Err(format!("--type must be session or auth, not {other}")),
    }
}

fn now(a: &Args) -> f64 {
    a.now.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0)
    })
}

fn result_line(r: &Result<Option<TokenData>, Error>) -> String {
    match r {
        Ok(Some(data)) => format!("{{\"ok\":true,{}", &data.to_json()[1..]),
        Ok(None) => "{\"ok\":true,\"anonymous\":true}".to_owned(),
        Err(e) => {
            let mut s = String::from("{\"ok\":false,\"code\":");
            write_json_str(&mut s, e.code());
            s.push_str(",\"detail\":");
            write_json_str(&mut s, e.detail());
            s.push_str(",\"message\":");
            write_json_str(&mut s, e.message());
            s.push('}');
            s
        }
    }
}

/// Inputs: the positional argument, or every non-empty stdin line (trimmed).
fn inputs(a: &Args) -> Box<dyn Iterator<Item = Vec<u8>>> {
    if let Some(t) = a.rest.first() {
        return Box::new(std::iter::once(t.trim().as_bytes().to_vec()));
    }
    let stdin = io::stdin().lock();
    Box::new(stdin.split(b'\n').map_while(Result::ok).filter_map(|l| {
        let t = l.trim_ascii();
        (!t.is_empty()).then(|| t.to_vec())
    }))
}

/// An `authenticate` input line: a JSON string (the header as text, see
/// [`drf_sso_jwt::header_bytes`]) or `null` (no header).
fn header_line(line: &[u8]) -> Result<Option<Vec<u8>>, String> {
    match drf_sso_jwt::json::parse(line) {
        Ok(Value::Null) => Ok(None),
        Ok(Value::Str(s)) => Ok(Some(drf_sso_jwt::header_bytes(&s).into_owned())),
        _ => Err("each line must be a JSON string or null".to_owned()),
    }
}

/// The verifier and edge state after the `--keys-doc` and `--state` documents (read once, at `now`).
fn with_documents(
    a: &Args,
    mut v: Verifier,
    now: f64,
) -> Result<(Verifier, Option<EdgeState>), String> {
    if a.keys_doc.is_none() && a.state.is_none() {
        return Ok((v, None));
    }
    let mut edge = EdgeState::new(v.settings(), a.issuer.as_deref(), a.stale)
        .map_err(|e| e.message().to_owned())?;
    let read = |p: &Path| std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()));
    if let Some(p) = &a.keys_doc {
        if let Some(next) = edge
            .update_keys(&read(p)?, &v, now)
            .map_err(|e| e.message().to_owned())?
        {
            v = next.with_signature_check(a.check);
        }
    }
    if let Some(p) = &a.state {
        edge.update_state(&read(p)?, &v, now)
            .map_err(|e| e.message().to_owned())?;
        if let Some(policy) = a.stale {
            edge.set_policy(Some(policy));
        }
    }
    Ok((v, Some(edge)))
}

fn cache(v: Verifier, size: usize) -> Result<CachedVerifier, String> {
    CachedVerifier::new(v, size).map_err(|e| e.message().to_owned())
}

fn run(a: Args) -> Result<bool, String> {
    let out = io::stdout().lock();
    let mut out = BufWriter::new(out);
    let mut all_ok = true;
    let mut emit = |r: Result<Option<TokenData>, Error>,
                    out: &mut BufWriter<io::StdoutLock>|
     -> Result<(), String> {
        all_ok &= r.is_ok();
        writeln!(out, "{}", result_line(&r)).map_err(|e| e.to_string())
    };
    match a.command.as_str() {
        "verify" => {
            let mut v = cache(verifier(a.settings.as_deref(), a.check)?, a.cache)?;
            let t = now(&a);
            for line in inputs(&a) {
                emit(v.verify(&line, t).map(Some), &mut out)?;
            }
        }
        "authenticate" => {
            let t = now(&a);
            let (v, edge) = with_documents(&a, verifier(a.settings.as_deref(), a.check)?, t)?;
            let mut v = cache(v, a.cache)?;
            for line in inputs(&a) {
                let header = header_line(&line)?;
                let r = match &edge {
                    Some(e) => v.authenticate_with_state(header.as_deref(), t, e),
                    None => v.authenticate(header.as_deref(), t),
                };
                emit(r, &mut out)?;
            }
        }
        "decode" => {
            for line in inputs(&a) {
                emit(dangerous::decode(&line).map(Some), &mut out)?;
            }
        }
        "jwks" => {
            let v = verifier(a.settings.as_deref(), a.check)?;
            let jwks = v.keys().to_jwks(&v.settings().encode_algorithm);
            writeln!(out, "{}", drf_sso_jwt::json::dumps(&jwks, false))
                .map_err(|e| e.to_string())?;
        }
        "sign" => {
            let issuer = issuer(a.settings.as_deref())?;
            let t = now(&a);
            for line in inputs(&a) {
                let r = drf_sso_jwt::json::parse(&line).and_then(|v| match v {
                    Value::Object(m) => issuer.encode(&m.into(), t),
                    _ => Err(Error::Sign("each line must be a JSON object".into())),
                });
                all_ok &= r.is_ok();
                let line = match r {
                    Ok(token) => {
                        let mut s = String::from("{\"ok\":true,\"token\":");
                        write_json_str(&mut s, &token);
                        s + "}"
                    }
                    Err(e) => result_line(&Err(e)),
                };
                writeln!(out, "{line}").map_err(|e| e.to_string())?;
            }
        }
        "issue" => {
            let issuer = issuer(a.settings.as_deref())?;
            let token = issuer
                .encode(&issue_payload(&a, now(&a))?, now(&a))
                .map_err(|e| e.message().to_owned())?;
            writeln!(out, "{token}").map_err(|e| e.to_string())?;
        }
        other => return Err(format!("unknown command {other}")),
    }
    out.flush().map_err(|e| e.to_string())?;
    Ok(all_ok)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("drf-sso-jwt: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("drf-sso-jwt: {e}");
            ExitCode::from(2)
        }
    }
}
