"""Bulk import of persons from the spreadsheets community workers keep (CSV and XLSX)."""
