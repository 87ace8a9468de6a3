//! What the fetch benches share: numbers from the environment, and a fake
//! provider served from its own thread and runtime, as a remote server would
//! be, so its work never queues behind the client's on the same workers.

use std::future::Future;
use std::sync::mpsc;

use tokio::sync::oneshot;

/// `name` from the environment as a number, else `default`.
pub fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// Where a started fake listens, and the handle the bench steers it with.
pub type Started<H> = Result<(String, H), String>;

/// A fake running on its own thread until [`RemoteFake::stop`].
pub struct RemoteFake<H> {
    pub url: String,
    pub handle: H,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl<H: Send + 'static> RemoteFake<H> {
    /// Runs `serve` on a new single-worker runtime. `serve` starts the fake,
    /// reports it through `ready`, waits for `stop` and shuts it down.
    pub fn start<F, Fut>(serve: F) -> Result<RemoteFake<H>, String>
    where
        F: FnOnce(mpsc::Sender<Started<H>>, oneshot::Receiver<()>) -> Fut + Send + 'static,
        Fut: Future<Output = ()>,
    {
        let (ready_tx, ready_rx) = mpsc::channel();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime.block_on(serve(ready_tx, stop_rx)),
                Err(e) => {
                    let _ = ready_tx.send(Err(e.to_string()));
                }
            }
        });
        let (url, handle) = ready_rx
            .recv()
            .map_err(|e| e.to_string())
            .and_then(|started| started)?;
        Ok(RemoteFake {
            url,
            handle,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// Shuts the fake down and waits for its thread.
    pub fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A [`RemoteFake`] serving one fake of a whole [`casebridge_sandbox::Sandbox`];
/// `pick` finds its URL and handle once the sandbox runs.
pub fn sandbox_fake<H, P>(
    config: casebridge_sandbox::SandboxConfig,
    pick: P,
) -> Result<RemoteFake<H>, String>
where
    H: Send + 'static,
    P: FnOnce(&casebridge_sandbox::Sandbox) -> Started<H> + Send + 'static,
{
    RemoteFake::start(move |ready, stop| async move {
        match casebridge_sandbox::Sandbox::start(config).await {
            Ok(sandbox) => {
                let _ = ready.send(pick(&sandbox));
                let _ = stop.await;
                sandbox.shutdown().await;
            }
            Err(e) => {
                let _ = ready.send(Err(e.to_string()));
            }
        }
    })
}
