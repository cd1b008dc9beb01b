"""Store backends behind one interface, chosen by name or location (see ``open_store``)."""
