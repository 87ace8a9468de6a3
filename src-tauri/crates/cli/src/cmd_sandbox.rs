//! `casebridge sandbox`: runs the local fakes until Ctrl-C / SIGTERM and
//! tells scripts where they listen.

use std::path::{Path, PathBuf};

use casebridge_sandbox::agency::{ApiKey, Progression};
use casebridge_sandbox::{demo, Sandbox, SandboxError, SandboxUrls};

#[derive(clap::Args, Debug)]
pub struct SandboxArgs {
    /// Print one JSON line `{"agency":"http://127.0.0.1:PORT",...}` on stdout
    /// (human-readable lines then go to stderr).
    #[arg(long)]
    json: bool,

    /// Also write that JSON to this file (atomically, once all fakes listen).
    #[arg(long, value_name = "PATH")]
    urls_file: Option<PathBuf>,

    /// Seed for ids, references and the simulated case stories.
    #[arg(long, default_value_t = demo::SEED)]
    seed: u64,

    /// Simulated seconds per real second for case progress (86400 = one day
    /// per second); 0 keeps cases where they are.
    #[arg(long, default_value_t = 86_400.0)]
    time_scale: f64,

    /// Another agency API key to accept besides the demo key (repeatable).
    #[arg(long = "agency-key", value_name = "KEY")]
    agency_keys: Vec<String>,

    /// Agency requests allowed per sliding minute, per key (real API: 2000).
    #[arg(long, value_name = "N")]
    per_minute: Option<u64>,

    /// Agency requests allowed per fixed hour, per key (real API: 20000).
    #[arg(long, value_name = "N")]
    per_hour: Option<u64>,

    /// Agency requests allowed per UTC day, per key (real API: 100000).
    #[arg(long, value_name = "N")]
    per_day: Option<u64>,
}

pub async fn run(args: SandboxArgs) -> Result<(), SandboxError> {
    let mut config = demo::config();
    config.seed = args.seed;
    if let Some(agency) = config.agency.as_mut() {
        agency.progression = (args.time_scale > 0.0).then(|| Progression {
            time_scale: args.time_scale,
            ..Progression::demo()
        });
        agency
            .api_keys
            .extend(args.agency_keys.iter().map(ApiKey::new));
        let limits = &mut agency.rate_limits;
        if let Some(n) = args.per_minute {
            limits.sliding.limit = n;
        }
        if let Some(n) = args.per_hour {
            limits.hourly.limit = n;
        }
        if let Some(n) = args.per_day {
            limits.daily.limit = n;
        }
    }

    let sandbox = Sandbox::start(config).await?;
    let urls = sandbox.urls();
    announce(&urls, args.json)?;
    if let Some(path) = &args.urls_file {
        write_urls(path, &urls)?;
    }

    wait_for_stop().await?;
    eprintln!("sandbox: stopping");
    sandbox.shutdown().await;
    if let Some(path) = &args.urls_file {
        // Stale URLs would point scripts at a closed port.
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

fn announce(urls: &SandboxUrls, json: bool) -> Result<(), SandboxError> {
    let encoded = encode(urls)?;
    // One line per running fake, whichever fakes exist (read back from the
    // JSON so a new fake needs no change here).
    let mut lines: Vec<String> =
        serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&encoded)
            .map_err(|source| SandboxError::EncodeUrls { source })?
            .into_iter()
            .map(|(name, url)| format!("{name:<8}{}", url.as_str().unwrap_or_default()))
            .collect();
    if urls.agency.is_some() {
        lines.push(format!("agency key (XApiKey): {}", demo::AGENCY_API_KEY));
    }
    lines.push(
        "control: POST <url>/__sandbox/faults, GET <url>/__sandbox/stats; Ctrl-C stops".into(),
    );
    if json {
        for line in &lines {
            eprintln!("{line}");
        }
        println!("{encoded}");
    } else {
        for line in &lines {
            println!("{line}");
        }
    }
    Ok(())
}

fn encode(urls: &SandboxUrls) -> Result<String, SandboxError> {
    serde_json::to_string(urls).map_err(|source| SandboxError::EncodeUrls { source })
}

/// Write-then-rename, so a script polling for the file never reads half.
fn write_urls(path: &Path, urls: &SandboxUrls) -> Result<(), SandboxError> {
    let fail = |source| SandboxError::WriteUrls {
        path: path.to_owned(),
        source,
    };
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, encode(urls)? + "\n").map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)
}

async fn wait_for_stop() -> Result<(), SandboxError> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term =
            signal(SignalKind::terminate()).map_err(|source| SandboxError::Signal { source })?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.map_err(|source| SandboxError::Signal { source }),
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c()
            .await
            .map_err(|source| SandboxError::Signal { source })
    }
}
