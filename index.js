// The package's entry point ("main" in package.json), as in n8n's node starter. n8n itself loads the files
// that package.json's "n8n" block names; this file lets `require('n8n-nodes-project-management')` reach the
// same classes. It only re-exports what the build put in dist/.
const { ProjectManagement } = require('./dist/nodes/ProjectManagement/ProjectManagement.node');
const {
	ProjectManagementTrigger,
} = require('./dist/nodes/ProjectManagementTrigger/ProjectManagementTrigger.node');
const { ProjectManagementApi } = require('./dist/credentials/ProjectManagementApi.credentials');
const { ProjectManagementOAuth2Api } = require('./dist/credentials/ProjectManagementOAuth2Api.credentials');

module.exports = {
	ProjectManagement,
	ProjectManagementTrigger,
	ProjectManagementApi,
	ProjectManagementOAuth2Api,
};
