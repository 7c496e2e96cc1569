"""Everything a person sees: windows, panes, dialogs."""
