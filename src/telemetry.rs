//! Logging: one subscriber for the whole process, pretty or JSON.

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::{fmt, EnvFilter};

use crate::settings::LogFormat;

/// Installs the global subscriber. `RUST_LOG` overrides the default level (`info`).
/// Logs go to stderr so that commands printing results (`schema`, `export`) keep stdout clean,
/// through a writer thread, so that request threads never wait on the write (one access-log
/// line per request); when its buffer is full, writers wait rather than lose lines. Keep the
/// returned guard until the process ends: dropping it flushes what is buffered.
pub fn init(format: LogFormat) -> WorkerGuard {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .finish(std::io::stderr());
    let builder = fmt().with_env_filter(filter).with_writer(writer);
    // try_init: a second call (tests run many apps in one process) keeps the first subscriber.
    let _ = match format {
        LogFormat::Pretty => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    guard
}
