"""Inputs shared by the operations tests."""

SLICE = "uspto-xml/weekly-slices/ipg080101.small.xml"  # 25 grants, the first USD558629S1 "Timepiece face"
BROKEN = "bad-input/weekly-with-one-broken-document.xml"  # 3 good grants, 1 quarantined
