//! The trust network: statements, trust paths, "My trust".

pub mod api;
pub mod pages;
pub mod service;
