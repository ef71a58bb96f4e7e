//! The accounts: currencies and their limits per kind of account, accounts (with their
//! balances and what pending transfers hold), transfers and their entries, each account's
//! postings (the statement, with the balance after each), and the hash chain with its head.

use super::columns::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The hash before the first link (`planet_domain::ledger::chain::GENESIS`).
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                table("currencies")
                    .col(id_pk())
                    .col(text("name"))
                    .col(text("symbol"))
                    .col(int("decimals"))
                    // Hundredths of a per cent of each payment that go to the community fund.
                    .col(int("levy_bp"))
                    .col(int("pending_days"))
                    .col(boolean("retired"))
                    .col(time("created_at"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("currencies", &["name"], true)).await?;
        manager
            .create_table(
                table("currency_limits")
                    .col(id("currency_id"))
                    .col(text("kind"))
                    .col(big_null("floor"))
                    .col(big_null("ceiling"))
                    .primary_key(&mut primary(&["currency_id", "kind"]))
                    .foreign_key(&mut fk("currency_limits", "currency_id", "currencies", true))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("ledger_accounts")
                    .col(id_pk())
                    .col(id("currency_id"))
                    .col(text("kind"))
                    // The directory entry, the group space, or (fund, system) the currency.
                    .col(id("owner_id"))
                    .col(big("balance"))
                    .col(big("pending_out"))
                    .col(big("pending_in"))
                    // Limits of its own, set by stewards; otherwise those of its kind.
                    .col(boolean("own_limits"))
                    .col(big_null("floor"))
                    .col(big_null("ceiling"))
                    // The holder accepts each incoming payment before it completes.
                    .col(boolean("confirm_incoming"))
                    // How many postings it has (the last posting's number).
                    .col(big("postings"))
                    .col(time("created_at"))
                    .foreign_key(&mut fk("ledger_accounts", "currency_id", "currencies", false))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ledger_accounts", &["currency_id", "kind", "owner_id"], true)).await?;
        manager.create_index(index("ledger_accounts", &["owner_id"], false)).await?;
        manager
            .create_table(
                table("transfers")
                    // Chosen by the client (a UUIDv7), so a repeated request finds its transfer.
                    .col(id_pk())
                    .col(text("kind"))
                    .col(text("state"))
                    .col(id("currency_id"))
                    .col(id("payer_id"))
                    .col(id("payee_id"))
                    .col(big("amount"))
                    .col(text("description"))
                    .col(id_null("listing_id"))
                    .col(id_null("deal_id"))
                    .col(id_null("reversal_of"))
                    .col(id("started_by"))
                    // What the request said, hashed: the same id with another body is refused.
                    .col(text("request_hash"))
                    .col(time("created_at"))
                    .col(time_null("expires_at"))
                    .col(time_null("finished_at"))
                    .col(id_null("finished_by"))
                    .foreign_key(&mut fk("transfers", "currency_id", "currencies", false))
                    .foreign_key(&mut fk("transfers", "payer_id", "ledger_accounts", false))
                    .foreign_key(&mut fk("transfers", "payee_id", "ledger_accounts", false))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("transfers", &["payer_id", "state"], false)).await?;
        manager.create_index(index("transfers", &["payee_id", "state"], false)).await?;
        manager.create_index(index("transfers", &["state", "expires_at"], false)).await?;
        manager.create_index(index("transfers", &["reversal_of"], false)).await?;
        manager.create_index(index("transfers", &["deal_id"], false)).await?;
        manager.create_index(index("transfers", &["kind", "state", "created_at"], false)).await?;
        manager
            .create_table(
                table("transfer_entries")
                    .col(id("transfer_id"))
                    .col(int("position"))
                    .col(id("from_id"))
                    .col(id("to_id"))
                    .col(big("amount"))
                    .col(text("purpose"))
                    .primary_key(&mut primary(&["transfer_id", "position"]))
                    .foreign_key(&mut fk("transfer_entries", "transfer_id", "transfers", false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                table("ledger_postings")
                    .col(id("account_id"))
                    .col(big("seq"))
                    .col(id("transfer_id"))
                    .col(int("position"))
                    // Signed: what the entry did to this account.
                    .col(big("amount"))
                    .col(big("balance"))
                    .col(time("at"))
                    .primary_key(&mut primary(&["account_id", "seq"]))
                    .foreign_key(&mut fk("ledger_postings", "account_id", "ledger_accounts", false))
                    .to_owned(),
            )
            .await?;
        // The chart finds where its window starts by time.
        manager.create_index(index("ledger_postings", &["account_id", "at"], false)).await?;
        manager
            .create_table(
                table("ledger_chain")
                    .col(ColumnDef::new(Alias::new("seq")).big_integer().not_null().primary_key())
                    .col(id("transfer_id"))
                    .col(text("state"))
                    .col(id_null("by_id"))
                    .col(time("at"))
                    .col(text("hash"))
                    .to_owned(),
            )
            .await?;
        manager.create_index(index("ledger_chain", &["transfer_id"], false)).await?;
        manager.create_index(index("ledger_chain", &["at"], false)).await?;
        manager
            .create_table(
                table("ledger_head")
                    .col(ColumnDef::new(Alias::new("id")).integer().not_null().primary_key())
                    .col(big("seq"))
                    .col(text("hash"))
                    .to_owned(),
            )
            .await?;
        let head = Query::insert()
            .into_table(Alias::new("ledger_head"))
            .columns([Alias::new("id"), Alias::new("seq"), Alias::new("hash")])
            .values([1.into(), 0_i64.into(), GENESIS.into()])
            .map_err(|e| DbErr::Migration(e.to_string()))?
            .to_owned();
        manager.exec_stmt(head).await?;
        manager
            .alter_table(
                Table::alter().table(Alias::new("notifications")).add_column(id_null("transfer_id")).to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("PlaNet migrations only go forward; restore a backup instead".to_owned()))
    }
}
