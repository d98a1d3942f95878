"""spaces.nb101"""
