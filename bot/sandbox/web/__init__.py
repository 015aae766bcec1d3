"""The sandbox's local Slack-like page: Block Kit rendered as HTML and the web app serving it."""
