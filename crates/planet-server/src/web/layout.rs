//! The chrome around every page: the community's name, the navigation, a flash message.

use askama::Template;

/// What the navigation shows depends on who is looking.
#[derive(Debug, Clone, Default)]
pub struct Nav {
    pub signed_in: bool,
    pub member: bool,
    pub steward: bool,
    pub name: String,
    /// Notifications not yet read.
    pub unread: u64,
}

#[derive(Debug, Clone)]
pub struct Layout {
    pub community: String,
    pub title: String,
    pub nav: Nav,
    pub flash: Option<&'static str>,
}

impl Layout {
    pub fn with_flash(mut self, flash: Option<&'static str>) -> Self {
        self.flash = flash;
        self
    }
}

/// Messages shown after an action, chosen by a code in the query string (never echoing input).
pub fn flash_message(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "joined" => "You have joined the group.",
        "left" => "You have left the group.",
        "requested" => "Your request has been sent to the group's coordinators.",
        "saved" => "Your changes have been saved.",
        "created" => "The group has been created. You are its coordinator.",
        "approved" => "The application has been approved and the new member told by email.",
        "declined" => "The application has been declined.",
        "accepted" => "The request has been accepted.",
        "refused" => "The request has been declined.",
        "invited" => "The invitation has been sent.",
        "role" => "The role has been changed.",
        "password" => "Your password has been changed. Please log in with it.",
        "loggedout" => "You have been logged out.",
        "everywhere" => "You have been logged out on every device.",
        "revoked" => "The token has been revoked. Programs using it can no longer get in.",
        "suspended" => "The member has been suspended and logged out everywhere.",
        "restored" => "The member's account has been restored.",
        "steward" => "The member's steward role has been changed.",
        "withdrawn" => "The invitation has been withdrawn.",
        "no-thanks" => "You have said no to the invitation.",
        "statement_made" => "Thank you. What you said has been added to the trust network.",
        "admitted_by_vouches" => {
            "Thank you. With your vouch they have been admitted, and we have emailed them a welcome."
        }
        "statement_withdrawn" => "Your statement has been withdrawn.",
        "statement_renewed" => "Your statement has been renewed for another two years.",
        "profile_saved" => "Your changes have been saved.",
        "manager_added" => "They can now help run this entry.",
        "manager_removed" => "They no longer help run this entry.",
        "removed" => "The member has been removed. Those who vouched for them cannot vouch for six months.",
        "value_added" => "The value has been added. Members can now say how they live it.",
        "value_retired" => "The value has been retired. It is no longer shown.",
        "badge_created" => "The badge has been made. Award it from a member's profile.",
        "badge_awarded" => "The badge has been awarded.",
        "badge_withdrawn" => "The badge has been taken back.",
        "photo_saved" => "Your picture has been saved.",
        "photo_removed" => "The picture has been removed.",
        "rule_saved" => "The admission rule has been saved. It applies to every vouch from now on.",
        "posted" => "Your message has been sent.",
        "message_waiting" => {
            "Thank you. A new member's first messages are read by a coordinator before everyone sees them. \
             Yours will appear once it has been approved."
        }
        "message_edited" => "Your message has been changed.",
        "message_deleted" => "Your message has been deleted.",
        "reported" => "Thank you for telling us. The moderators will look at it.",
        "reported_hidden" => {
            "Thank you for telling us. Enough members have reported it, so it is hidden until a moderator looks."
        }
        "moderated" => "Done. It is in the moderation log.",
        "member_moderated" => "Done. It is in the moderation log.",
        "rules_saved" => "The moderation settings have been saved.",
        "blocked" => "Blocked. Their messages are folded away for you. They are not told.",
        "unblocked" => "Unblocked. You will see their messages again.",
        "conduct_accepted" => "Thank you for agreeing to our code of conduct.",
        "conduct_saved" => "The new version of the code of conduct is in force. Applicants accept it from now on.",
        "all_read" => "All your notifications are marked as read.",
        "notification_settings" => "Your email settings have been saved.",
        "following" => "You are following this. You will be told about every new message.",
        "following_group" => "You are following this group. You will be told about every new conversation.",
        "muted" => "Muted. You will not be told about it, and it is left out of what's new.",
        "conversation_started" => "Your message has been sent. Only the people in this conversation can read it.",
        "person_added" => "They have been added and told. They can read the whole conversation.",
        "conversation_left" => "You have left the conversation. Someone in it can add you again.",
        "normal" => "Back to normal: you will be told when someone mentions you or replies to you.",
        _ => return None,
    })
}

/// A friendly page for errors (404, 403, 500 …), rendered without the database.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub title: &'static str,
    pub message: String,
    pub status: u16,
    /// Where to go to put it right (address, words), for some refusals.
    pub next: Option<(&'static str, &'static str)>,
}
