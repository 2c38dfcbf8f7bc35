//! Webhook tooling built on the generator (feature `webhooks`): finding the
//! webhook events of a schema set or OpenAPI document ([`events`]),
//! reporting what changed between two versions ([`diff`]), and bringing a
//! schema directory in step with an upstream document ([`sync`]).
//!
//! The generator itself knows nothing of webhooks: this module depends on
//! it (on [`crate::SchemaSet`] and the keyword registry), never the reverse.

mod api_diff;
pub mod diff;
pub mod events;
mod layout;
mod report;
mod schema_changes;
pub mod sync;
