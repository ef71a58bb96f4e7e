//! `planet admin …`: a steward's tasks from the command line, for when nobody can log in.

use crate::cli::AdminAction;
use anyhow::{Context, bail};
use planet_domain::admission::ApplicationStatus;
use planet_domain::space::{AccountStatus, Role};
use planet_domain::text::{EmailAddress, NewPassword, PersonName};
use planet_domain::{Clock, MemberId, SystemClock};
use planet_server::identity::crypto::hash_password;
use planet_store::Store;
use planet_store::queries::accounts::{self, NewMember};
use planet_store::queries::{admission, audit, community, spaces};

fn read_password() -> anyhow::Result<NewPassword> {
    let password = match std::env::var("PLANET_ADMIN_PASSWORD") {
        Ok(p) => p,
        Err(_) => rpassword::prompt_password("New password (at least 10 characters): ")?,
    };
    NewPassword::parse(&password).map_err(|e| anyhow::anyhow!(e.message))
}

pub async fn run(store: &Store, action: AdminAction) -> anyhow::Result<()> {
    let now = SystemClock.now();
    match action {
        AdminAction::CreateSteward { name, email } => {
            let name = PersonName::parse(&name).map_err(|e| anyhow::anyhow!(e.message))?;
            let email = EmailAddress::parse(&email).map_err(|e| anyhow::anyhow!(e.message))?;
            let Some(community) = community::get(store.db()).await? else {
                bail!("the community has not been set up yet: start `planet serve` and open /setup");
            };
            if let Some(existing) = accounts::member_by_email(store.db(), email.as_str()).await? {
                // An existing account becomes a steward and a full member, all at once.
                let txn = store.begin().await?;
                accounts::set_status(&txn, existing.id, AccountStatus::Member, now).await?;
                accounts::set_steward(&txn, existing.id, true).await?;
                if let Some(application) = admission::application_of(&txn, existing.id).await?
                    && application.status == ApplicationStatus::Waiting
                {
                    admission::decide(
                        &txn,
                        application.id,
                        ApplicationStatus::Waiting,
                        ApplicationStatus::Approved,
                        None,
                        "made a steward from the command line",
                        now,
                    )
                    .await?;
                }
                if spaces::roles_in(&txn, existing.id, &[community.root_space_id]).await?.is_empty() {
                    spaces::add_member(&txn, community.root_space_id, existing.id, Role::Member, now).await?;
                }
                audit::record(&txn, None, "member.made_steward", &existing.name, "from the command line", now).await?;
                txn.commit().await?;
                println!("{} is now a steward.", existing.name);
                return Ok(());
            }
            let password = read_password()?;
            let hash = hash_password(password.expose()).map_err(|e| anyhow::anyhow!(e.to_string()))?;
            let id = MemberId::new_v7();
            let txn = store.begin().await?;
            accounts::create_member(
                &txn,
                NewMember {
                    id,
                    email: email.as_str(),
                    name: name.as_str(),
                    password_hash: &hash,
                    status: AccountStatus::Member,
                    steward: true,
                    now,
                },
            )
            .await?;
            spaces::add_member(&txn, community.root_space_id, id, Role::Member, now).await?;
            audit::record(&txn, None, "member.steward_created", name.as_str(), "from the command line", now).await?;
            txn.commit().await?;
            println!("Created steward {name} <{email}>.");
        }
        AdminAction::ResetPassword { email } => {
            let email = EmailAddress::parse(&email).map_err(|e| anyhow::anyhow!(e.message))?;
            let member = accounts::member_by_email(store.db(), email.as_str())
                .await?
                .context("no member has that email address")?;
            let password = read_password()?;
            let hash = hash_password(password.expose()).map_err(|e| anyhow::anyhow!(e.to_string()))?;
            let txn = store.begin().await?;
            accounts::set_password_hash(&txn, member.id, &hash).await?;
            accounts::delete_member_sessions(&txn, member.id).await?;
            audit::record(&txn, None, "member.password_reset", &member.name, "from the command line", now).await?;
            txn.commit().await?;
            println!("New password set for {}; they have been logged out everywhere.", member.name);
        }
        AdminAction::ListMembers => {
            let members = accounts::list_members(store.db(), AccountStatus::ALL, None, 100_000, 0).await?;
            for m in &members {
                println!(
                    "{:<32} {:<40} {:<12}{}",
                    m.name,
                    m.email,
                    m.status.as_str(),
                    if m.steward { " steward" } else { "" }
                );
            }
            println!("{} accounts", members.len());
        }
    }
    Ok(())
}
