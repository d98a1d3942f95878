"""_core.formats"""
