//! Who may see and use accounts and transfers. An account is seen by whoever holds it (the
//! member; whoever runs the business or organisation; a group's coordinators) and by stewards;
//! the community fund by every member, since its money is everyone's. Only its holders spend
//! from an account; the fund spends only through a correction that two stewards agree to. A
//! transfer is seen by its two sides, whoever started it, and stewards; it is decided by the one
//! it waits for (`ledger::may_decide`), cancelled by whoever started it.

use super::{Action, Decision, Denial, allow_if};
use crate::ledger::{TransferKind, TransferRoles, may_decide, may_start_reversal};

/// An account, and how the actor stands to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountFacts {
    /// The actor holds it (theirs, an entry they run, a group they coordinate).
    pub actor_holds: bool,
    /// It is the community fund.
    pub fund: bool,
    /// It is the system account (corrections).
    pub system: bool,
}

/// A transfer, and how the actor stands to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransferFacts {
    pub kind: TransferKind,
    /// The actor's part in it (`steward` is filled in by `authorize`, `system` is never set).
    pub roles: TransferRoles,
}

pub(super) fn account_action(steward: bool, action: Action, account: AccountFacts) -> Decision {
    match action {
        Action::ReadAccount => allow_if(account.actor_holds || account.fund || steward, Denial::Forbidden),
        Action::HoldAccount => allow_if(account.actor_holds && !account.fund && !account.system, Denial::Forbidden),
        _ => Decision::Deny(Denial::Forbidden),
    }
}

pub(super) fn transfer_action(steward: bool, action: Action, transfer: TransferFacts) -> Decision {
    let roles = TransferRoles { steward, system: false, ..transfer.roles };
    let involved = roles.pays || roles.receives || roles.started;
    match action {
        Action::ReadTransfer => allow_if(involved || steward, Denial::Forbidden),
        Action::DecideTransfer => {
            allow_if(may_decide(transfer.kind, roles) || roles.started || may_start_reversal(roles), Denial::Forbidden)
        }
        _ => Decision::Deny(Denial::Forbidden),
    }
}
