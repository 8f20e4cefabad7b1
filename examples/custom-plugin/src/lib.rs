//! A custom plugin: `/ping` on an issue or pull request gets a `pong` reply.
use prow_plugins::prelude::*;

/// `/ping`, declared once: the matcher and `/plugin-help` both come from here.
pub static PING: Command = Command::new("ping")
    .description("Replies pong.")
    .who_can_use("Anyone.")
    .examples(&["/ping"]);

/// The `ping` plugin; `plugins.yaml` enables it by that name.
pub struct Ping;

#[async_trait]
impl Plugin for Ping {
    fn name(&self) -> &str {
        "ping"
    }
    fn events(&self) -> &[EventKind] {
        &[EventKind::GenericComment]
    }
    fn help(&self) -> PluginHelp {
        commands::plugin_help("Answers /ping.", &[&PING])
    }
    async fn handle(&self, ctx: &PluginContext, event: &PluginEvent) -> Result<(), PluginError> {
        match created_comment(event).filter(|c| PING.is_in(&c.body)) {
            Some(comment) => reply(ctx, comment, "pong").await,
            None => Ok(()),
        }
    }
}
