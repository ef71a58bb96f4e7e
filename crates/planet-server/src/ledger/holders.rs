//! Who holds an account: a person's is theirs; a business's or organisation's belongs to
//! whoever runs its directory entry; a group's to its coordinators. The fund and the system
//! account are held by nobody (stewards act on them, two together).

use crate::error::AppResult;
use planet_domain::ledger::AccountKind;
use planet_domain::space::Role;
use planet_domain::{MemberId, ProfileId, SpaceId};
use planet_store::ConnectionTrait;
use planet_store::queries::ledger::Account;
use planet_store::queries::{people, spaces};
use uuid::Uuid;

/// The members who hold an account.
pub(crate) async fn holders(db: &impl ConnectionTrait, account: &Account) -> AppResult<Vec<MemberId>> {
    Ok(match account.kind {
        AccountKind::Person => vec![MemberId::from_uuid(account.owner)],
        AccountKind::Business | AccountKind::Organisation => {
            people::managers(db, ProfileId::from_uuid(account.owner)).await?.into_iter().map(|m| m.member).collect()
        }
        AccountKind::Group => spaces::members_of(db, SpaceId::from_uuid(account.owner))
            .await?
            .into_iter()
            .filter(|m| m.role == Role::Coordinator)
            .map(|m| m.member.id)
            .collect(),
        AccountKind::Fund | AccountKind::System => Vec::new(),
    })
}

/// The owners whose accounts a member holds: their own entry and the entries they run.
pub(crate) async fn owners_held_by(db: &impl ConnectionTrait, member: MemberId) -> AppResult<Vec<Uuid>> {
    let mut owners = vec![member.uuid()];
    owners.extend(people::managed_by(db, member).await?.into_iter().map(ProfileId::uuid));
    Ok(owners)
}

/// Whether a member holds an account.
pub(crate) async fn holds(db: &impl ConnectionTrait, member: MemberId, account: &Account) -> AppResult<bool> {
    Ok(match account.kind {
        AccountKind::Person => account.owner == member.uuid(),
        AccountKind::Fund | AccountKind::System => false,
        _ => holders(db, account).await?.contains(&member),
    })
}
