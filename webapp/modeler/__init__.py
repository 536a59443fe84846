"""The modeler: policy owners and beheerders change their school's diagrams (drafts, publish,
versions, export); every member of the school reads the published one."""
