//! Admission: invitations, applications and a steward's decision.

pub mod api;
pub mod pages;
pub mod service;
