"""The live wing: a pure conductor, a player, a thin asyncio engine, the session around them,
and the commands and events that are the only contract with a UI."""
