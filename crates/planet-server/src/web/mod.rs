//! Web plumbing shared by every area: page chrome, forms, security middleware, assets.

pub mod assets;
pub mod forms;
pub mod layout;
pub mod markdown;
pub mod middleware;
