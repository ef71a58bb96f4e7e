//! Searching talk: messages and topic titles in every space the member may see.

pub mod pages;
pub mod service;
