package bitbucket

// RevokeTokens makes every token issued so far stop working, as when the operator
// revokes the consumer's access or Bitbucket drops the grant: access tokens answer 401
// "Access token expired." and refresh tokens answer invalid_grant ("Invalid
// refresh_token"). Authorization codes and client credentials issue working tokens again.
func (c Controls) RevokeTokens() {
	e := c.e
	e.mu.Lock()
	defer e.mu.Unlock()
	e.expireAccess()
	clear(e.refresh)
}
